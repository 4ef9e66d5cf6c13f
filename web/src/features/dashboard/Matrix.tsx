/**
 * The ABC-XYZ matrix as a heatmap that is a table first: rows A, B, C, columns X, Y, Z, each cell a
 * link to the accounts of its segment; and the transition matrix since the previous run, each count a
 * link to the accounts that made that move. Tables rather than a chart, so that a screen reader and a
 * keyboard reach every figure and every link.
 */
import { Anchor, Group, ScrollArea, SegmentedControl, Stack, Table, Text } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { SEGMENTS, type Segment } from '../../../../src/core/types.ts';
import { withQuery } from '../../api/client.ts';
import { useFormat } from '../../i18n/format.ts';
import type { Dashboard, MatrixCell } from './api.ts';

const ABC = ['A', 'B', 'C'] as const;
const XYZ = ['X', 'Y', 'Z'] as const;
type Measure = 'clients' | 'revenue' | 'margin';

/** The heatmap's colour, Mantine's blue 6 at an opacity that keeps dark text above 7:1 contrast. */
function heat(intensity: number): string {
  return `rgba(34, 139, 230, ${(0.06 + 0.44 * intensity).toFixed(3)})`;
}

function measureOf(cell: MatrixCell, measure: Measure): number {
  if (measure === 'revenue') return Math.max(0, cell.revenueShare ?? 0);
  if (measure === 'margin') return Math.max(0, cell.marginShare ?? 0);
  return cell.clientShare ?? 0;
}

export function AbcXyzMatrix({ data, ownerFilter, seesMoney }: { data: Dashboard; ownerFilter: string | undefined; seesMoney: boolean }) {
  const { t } = useTranslation();
  const format = useFormat();
  const [measure, setMeasure] = useState<Measure>('clients');
  const cells = new Map(data.matrix.map((cell) => [cell.segment, cell]));
  const largest = Math.max(...data.matrix.map((cell) => measureOf(cell, measure)), 0);
  const measures: Measure[] = seesMoney ? ['clients', 'revenue', 'margin'] : ['clients'];
  return (
    <Stack gap="xs">
      {seesMoney && (
        <Group gap="xs">
          <Text size="sm" id="matrix-measure">{t('dashboard.matrix.measure')}</Text>
          <SegmentedControl
            size="xs"
            aria-labelledby="matrix-measure"
            value={measure}
            onChange={(value) => setMeasure(value as Measure)}
            data={measures.map((m) => ({ value: m, label: t(`dashboard.matrix.measures.${m}`) }))}
          />
        </Group>
      )}
      <ScrollArea viewportProps={{ tabIndex: 0, 'aria-label': t('dashboard.matrix.caption') }}>
        <Table data-testid="abc-xyz-matrix" withTableBorder withColumnBorders miw={520} layout="fixed">
          <Table.Caption>{t('dashboard.matrix.caption')}</Table.Caption>
          <Table.Thead>
            <Table.Tr>
              <Table.Td w={90} />
              {XYZ.map((xyz) => (
                <Table.Th key={xyz} scope="col" ta="center">{t(`dashboard.matrix.xyz.${xyz}`)}</Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {ABC.map((abc) => (
              <Table.Tr key={abc}>
                <Table.Th scope="row">{t(`dashboard.matrix.abc.${abc}`)}</Table.Th>
                {XYZ.map((xyz) => {
                  const segment = `${abc}${xyz}` as Segment;
                  const cell = cells.get(segment) ?? { segment, clients: 0, clientShare: null };
                  const intensity = largest > 0 ? measureOf(cell, measure) / largest : 0;
                  return (
                    <Table.Td key={segment} p={0} style={{ background: heat(intensity) }}>
                      <Anchor
                        component={Link}
                        to={withQuery('/accounts', { segment, ownerId: ownerFilter })}
                        c="dark.9"
                        display="block"
                        p="sm"
                        data-segment={segment}
                      >
                        <Text fw={700} inherit>{segment}</Text>
                        <Text size="sm" inherit>{t('dashboard.matrix.clients', { count: cell.clients, formatted: format.number(cell.clients), share: format.percent(cell.clientShare) })}</Text>
                        {seesMoney && <Text size="sm" inherit>{t('dashboard.matrix.revenueShare', { share: format.percent(cell.revenueShare) })}</Text>}
                        {seesMoney && <Text size="sm" inherit>{t('dashboard.matrix.marginShare', { share: format.percent(cell.marginShare) })}</Text>}
                      </Anchor>
                    </Table.Td>
                  );
                })}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </ScrollArea>
    </Stack>
  );
}

export function TransitionMatrix({ transitions, ownerFilter }: { transitions: NonNullable<Dashboard['transitions']>; ownerFilter: string | undefined }) {
  const { t } = useTranslation();
  const format = useFormat();
  return (
    <Stack gap="xs">
      <Text size="sm">{t('dashboard.transitions.summary', { moved: format.number(transitions.moved), stayed: format.number(transitions.stayed) })}</Text>
      <ScrollArea viewportProps={{ tabIndex: 0, 'aria-label': t('dashboard.transitions.caption') }}>
        <Table data-testid="transition-matrix" withTableBorder withColumnBorders striped miw={640} fz="sm">
          <Table.Caption>{t('dashboard.transitions.caption')}</Table.Caption>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">{t('dashboard.transitions.corner')}</Table.Th>
              {SEGMENTS.map((to) => <Table.Th key={to} scope="col" ta="right">{to}</Table.Th>)}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {SEGMENTS.map((from) => (
              <Table.Tr key={from}>
                <Table.Th scope="row">{from}</Table.Th>
                {SEGMENTS.map((to) => {
                  const count = transitions.matrix[from][to];
                  return (
                    <Table.Td key={to} ta="right" fw={from === to ? 400 : 600}>
                      {count === 0 ? <Text span c="dimmed" inherit>0</Text> : (
                        <Anchor component={Link} to={withQuery('/accounts', { previousSegment: from, segment: to, ownerId: ownerFilter })} inherit>
                          {format.number(count)}
                          <span className="visually-hidden"> {t('dashboard.transitions.cell', { from, to })}</span>
                        </Anchor>
                      )}
                    </Table.Td>
                  );
                })}
              </Table.Tr>
            ))}
            <Table.Tr>
              <Table.Th scope="row">{t('dashboard.transitions.entered')}</Table.Th>
              {SEGMENTS.map((to) => <Table.Td key={to} ta="right">{format.number(transitions.entered[to])}</Table.Td>)}
            </Table.Tr>
          </Table.Tbody>
        </Table>
      </ScrollArea>
    </Stack>
  );
}
