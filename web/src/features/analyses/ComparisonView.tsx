/**
 * Two runs compared: the clients per segment in each (a chart whose label says the same in words),
 * the transition matrix as a table (rows: the earlier run's segment, columns: the later run's, with
 * the accounts that entered and left), each cell that holds movers a button that lists them below,
 * and the movers, paged by the server, so a cell of tens of thousands loads one page at a time.
 */
import { Anchor, Button, Group, Loader, Pagination, ScrollArea, Stack, Table, Text, Title } from '@mantine/core';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { SEGMENTS, type Segment } from '../../../../src/core/types.ts';
import { Chart, type ChartOption } from '../../app/Chart.tsx';
import { ErrorAlert } from '../../app/errors.tsx';
import { useFormat } from '../../i18n/format.ts';
import { useComparison, type Comparison, type Side } from './api.ts';

const MOVERS_PER_PAGE = 25;

type Cell = { from: Side; to: Side };

export function ComparisonView({ from, to, seesMoney }: { from: number; to: number; seesMoney: boolean }) {
  const { t } = useTranslation();
  const format = useFormat();
  const [cell, setCell] = useState<Cell | null>(null);
  const [page, setPage] = useState(1);
  const comparison = useComparison({
    from,
    to,
    fromSegment: cell?.from,
    toSegment: cell?.to,
    moversOffset: (page - 1) * MOVERS_PER_PAGE,
    moversLimit: MOVERS_PER_PAGE,
  });
  const data = comparison.data;

  function choose(next: Cell | null) {
    setCell(next);
    setPage(1);
  }

  const side = (value: Side | null) => (value === null || value === 'none' ? t('analyses.compare.none') : value);
  const pages = Math.max(1, Math.ceil((data?.moversTotal ?? 0) / MOVERS_PER_PAGE));
  const points = (value: number | null) =>
    value === null ? '–' : t('analyses.movers.points', { value: `${value > 0 ? '+' : ''}${format.number(value * 100, 1)}` });

  return (
    <Stack>
      <ErrorAlert error={comparison.error} />
      {data === undefined ? (
        comparison.isLoading && <Loader size="sm" aria-label={t('app.loading')} />
      ) : (
        <>
          <Text>{t('analyses.compare.summary', { stayed: format.number(data.stayed), moved: format.number(data.moved) })}</Text>
          <SegmentChart comparison={data} />
          <ScrollArea viewportProps={{ tabIndex: 0, 'aria-label': t('analyses.compare.matrix') }}>
            <Table withTableBorder withColumnBorders verticalSpacing={4} aria-label={t('analyses.compare.matrix')} miw={760}>
              <Table.Caption>{t('analyses.compare.matrixCaption', { from: data.from, to: data.to })}</Table.Caption>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">{t('analyses.compare.corner')}</Table.Th>
                  {SEGMENTS.map((segment) => <Table.Th key={segment} scope="col" ta="center">{segment}</Table.Th>)}
                  <Table.Th scope="col" ta="center">{t('analyses.compare.left')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {SEGMENTS.map((earlier) => (
                  <Table.Tr key={earlier}>
                    <Table.Th scope="row">{earlier}</Table.Th>
                    {SEGMENTS.map((later) => (
                      <Table.Td key={later} ta="center">
                        <CellButton count={data.matrix[earlier][later]} cell={{ from: earlier, to: later }} chosen={cell} onChoose={choose} stayed={earlier === later} />
                      </Table.Td>
                    ))}
                    <Table.Td ta="center">
                      <CellButton count={data.left[earlier]} cell={{ from: earlier, to: 'none' }} chosen={cell} onChoose={choose} stayed={false} />
                    </Table.Td>
                  </Table.Tr>
                ))}
                <Table.Tr>
                  <Table.Th scope="row">{t('analyses.compare.entered')}</Table.Th>
                  {SEGMENTS.map((later) => (
                    <Table.Td key={later} ta="center">
                      <CellButton count={data.entered[later]} cell={{ from: 'none', to: later }} chosen={cell} onChoose={choose} stayed={false} />
                    </Table.Td>
                  ))}
                  <Table.Td />
                </Table.Tr>
              </Table.Tbody>
            </Table>
          </ScrollArea>

          <section aria-labelledby="movers-title">
            <Stack gap="xs">
              <Group justify="space-between" align="flex-end">
                <Title order={3} size="h4" id="movers-title">
                  {cell === null ? t('analyses.movers.all') : t('analyses.movers.cell', { from: side(cell.from), to: side(cell.to) })}
                </Title>
                <Group gap="xs">
                  {comparison.isFetching && <Loader size="xs" aria-label={t('app.loading')} />}
                  <Text size="sm" aria-live="polite">{t('analyses.movers.count', { count: data.moversTotal, formatted: format.number(data.moversTotal) })}</Text>
                  {cell !== null && <Button variant="subtle" size="xs" onClick={() => choose(null)}>{t('analyses.movers.showAll')}</Button>}
                </Group>
              </Group>
              <ScrollArea viewportProps={{ tabIndex: 0, 'aria-label': t('analyses.movers.table') }}>
                <Table striped verticalSpacing={4} aria-label={t('analyses.movers.table')} miw={700}>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>{t('analyses.movers.account')}</Table.Th>
                      <Table.Th>{t('analyses.movers.from')}</Table.Th>
                      <Table.Th>{t('analyses.movers.to')}</Table.Th>
                      {seesMoney && (
                        <>
                          <Table.Th ta="right">{t('analyses.movers.revenueBefore')}</Table.Th>
                          <Table.Th ta="right">{t('analyses.movers.revenueAfter')}</Table.Th>
                          <Table.Th ta="right">{t('analyses.movers.revenueChange')}</Table.Th>
                        </>
                      )}
                      <Table.Th ta="right">{t('analyses.movers.frequencyChange')}</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {data.movers.map((mover) => (
                      <Table.Tr key={mover.account}>
                        <Table.Td><Anchor component={Link} to={`/accounts/${mover.account}`}>{mover.accountName}</Anchor></Table.Td>
                        <Table.Td>{side(mover.from)}</Table.Td>
                        <Table.Td>{side(mover.to)}</Table.Td>
                        {seesMoney && (
                          <>
                            <Table.Td ta="right">{format.money(mover.revenueBefore)}</Table.Td>
                            <Table.Td ta="right">{format.money(mover.revenueAfter)}</Table.Td>
                            <Table.Td ta="right">{format.money(mover.revenueChange)}</Table.Td>
                          </>
                        )}
                        <Table.Td ta="right">{points(mover.frequencyChange)}</Table.Td>
                      </Table.Tr>
                    ))}
                    {data.movers.length === 0 && (
                      <Table.Tr><Table.Td colSpan={seesMoney ? 7 : 4}><Text c="dimmed">{t('analyses.movers.empty')}</Text></Table.Td></Table.Tr>
                    )}
                  </Table.Tbody>
                </Table>
              </ScrollArea>
              {pages > 1 && (
                <Pagination total={pages} value={Math.min(page, pages)} onChange={setPage}
                  getControlProps={(control) => ({ 'aria-label': t(`accounts.pagination.${control}`) })} />
              )}
            </Stack>
          </section>
        </>
      )}
    </Stack>
  );
}

/**
 * A cell of the matrix: a button when it holds movers (the diagonal holds those who stayed, who are
 * no movers), whose name says the count and the move; plain text otherwise.
 */
function CellButton({ count, cell, chosen, onChoose, stayed }: {
  count: number; cell: Cell; chosen: Cell | null; onChoose: (cell: Cell) => void; stayed: boolean;
}) {
  const { t } = useTranslation();
  const format = useFormat();
  if (count === 0 || stayed) return <Text size="sm" fw={stayed ? 700 : 400}>{format.number(count)}</Text>;
  const pressed = chosen !== null && chosen.from === cell.from && chosen.to === cell.to;
  const none = t('analyses.compare.none');
  return (
    <Button size="compact-sm" variant={pressed ? 'filled' : 'light'} aria-pressed={pressed} onClick={() => onChoose(cell)}>
      {format.number(count)}
      <span className="visually-hidden">
        {' '}{t('analyses.compare.cellName', { count, from: cell.from === 'none' ? none : cell.from, to: cell.to === 'none' ? none : cell.to })}
      </span>
    </Button>
  );
}

/** Clients per segment in the earlier and the later run, over the accounts the user may see. */
function SegmentChart({ comparison }: { comparison: Comparison }) {
  const { t } = useTranslation();
  const counts = useMemo(() => {
    const before = {} as Record<Segment, number>;
    const after = {} as Record<Segment, number>;
    for (const segment of SEGMENTS) {
      before[segment] = comparison.left[segment] + SEGMENTS.reduce((sum, later) => sum + comparison.matrix[segment][later], 0);
      after[segment] = comparison.entered[segment] + SEGMENTS.reduce((sum, earlier) => sum + comparison.matrix[earlier][segment], 0);
    }
    return { before, after };
  }, [comparison]);
  const earlier = t('analyses.compare.run', { id: comparison.from });
  const later = t('analyses.compare.run', { id: comparison.to });
  const option = useMemo<ChartOption>(() => ({
    tooltip: { trigger: 'axis' },
    legend: { data: [earlier, later], top: 0, left: 'center' },
    grid: { left: 48, right: 16, top: 36, bottom: 28 },
    xAxis: { type: 'category', data: [...SEGMENTS] },
    yAxis: { type: 'value', minInterval: 1 },
    series: [
      { name: earlier, type: 'bar', data: SEGMENTS.map((segment) => counts.before[segment]), itemStyle: { color: '#868e96' } },
      { name: later, type: 'bar', data: SEGMENTS.map((segment) => counts.after[segment]), itemStyle: { color: '#1971c2' } },
    ],
  }), [counts, earlier, later]);
  // The chart's name is its text alternative: every bar's value in words.
  const label = t('analyses.compare.chartLabel', {
    from: comparison.from,
    to: comparison.to,
    values: SEGMENTS.map((segment) => `${segment} ${counts.before[segment]} → ${counts.after[segment]}`).join('; '),
  });
  return <Chart option={option} label={label} height={200} />;
}
