/**
 * The kept analysis runs, newest first, with their parameters and headline figures; the director and
 * the administrator download each run's workbook from here and see the key clients' share, which
 * the server sends them only.
 */
import { Anchor, ScrollArea, Table, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { SEGMENTS } from '../../../../src/core/types.ts';
import { useFormat } from '../../i18n/format.ts';
import { reportHref, type Run } from './api.ts';

/** The run's clients: the sum of its segments, which every role receives. */
export function runClients(run: Run): number {
  return SEGMENTS.reduce((sum, segment) => sum + (run.segments[segment]?.clients ?? 0), 0);
}

/**
 * `manages`: the director or the administrator, who receive the whole company's figures (the key
 * clients' share) and download the workbooks; the others see the runs without them.
 */
export function RunsTable({ runs, manages, highlighted }: { runs: Run[]; manages: boolean; highlighted: number[] }) {
  const { t } = useTranslation();
  const format = useFormat();
  return (
    <ScrollArea viewportProps={{ tabIndex: 0, 'aria-label': t('analyses.runs.title') }}>
      <Table striped aria-label={t('analyses.runs.title')} miw={900}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('analyses.runs.id')}</Table.Th>
            <Table.Th>{t('analyses.runs.created')}</Table.Th>
            <Table.Th>{t('analyses.runs.asOf')}</Table.Th>
            <Table.Th>{t('analyses.runs.window')}</Table.Th>
            <Table.Th>{t('analyses.runs.period')}</Table.Th>
            <Table.Th>{t('analyses.runs.metric')}</Table.Th>
            <Table.Th>{t('analyses.runs.abc')}</Table.Th>
            <Table.Th style={{ textAlign: 'right' }}>{t('analyses.runs.clients')}</Table.Th>
            {manages && <Table.Th style={{ textAlign: 'right' }}>{t('analyses.runs.keyShare')}</Table.Th>}
            <Table.Th>{t('analyses.runs.by')}</Table.Th>
            {manages && <Table.Th>{t('analyses.runs.report')}</Table.Th>}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {runs.map((run) => (
            <Table.Tr key={run.id} aria-current={highlighted.includes(run.id) ? 'true' : undefined}
              style={highlighted.includes(run.id) ? { fontWeight: 600 } : undefined}>
              <Table.Td>{run.id}</Table.Td>
              <Table.Td>{format.dateTime(run.createdAt)}</Table.Td>
              <Table.Td>{format.date(run.window.asOf)}</Table.Td>
              <Table.Td>{format.date(run.window.from)} – {format.date(run.window.to)}</Table.Td>
              <Table.Td>{t(`analyses.values.period.${run.params.period}`)}</Table.Td>
              <Table.Td>{t(`analyses.values.metric.${run.params.metric}`)}</Table.Td>
              <Table.Td>{run.params.abc[0]}/{run.params.abc[1]}</Table.Td>
              <Table.Td style={{ textAlign: 'right' }}>{format.number(runClients(run))}</Table.Td>
              {manages && <Table.Td style={{ textAlign: 'right' }}>{format.percent(run.keyClients?.revenueShare)}</Table.Td>}
              <Table.Td>{run.userName ?? t('analyses.runs.system')}</Table.Td>
              {manages && (
                <Table.Td>
                  <Anchor href={reportHref(run.id)} download>
                    XLSX<span className="visually-hidden"> {t('analyses.runs.reportOf', { id: run.id })}</span>
                  </Anchor>
                </Table.Td>
              )}
            </Table.Tr>
          ))}
          {runs.length === 0 && (
            <Table.Tr><Table.Td colSpan={11}><Text c="dimmed">{t('analyses.runs.empty')}</Text></Table.Td></Table.Tr>
          )}
        </Table.Tbody>
      </Table>
    </ScrollArea>
  );
}
