/**
 * The win-back rate by offer type and by segment: bars of the rate (won back among the actions with an
 * outcome), and the same figures in tables with the counts, the share still open and the median days
 * from the action to the purchase; the tables are the chart's text alternative.
 */
import { Paper, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { Chart, type ChartOption } from '../../app/Chart.tsx';
import { useFormat } from '../../i18n/format.ts';
import type { RateRow, Rates } from './api.ts';

export function RatesPanel({ rates }: { rates: Rates }) {
  const { t } = useTranslation();
  const format = useFormat();
  return (
    <Stack>
      <Text data-testid="win-back-rate-summary">
        {rates.total.actions === 0 ? t('winBack.rates.none') : t('winBack.rates.summary', {
          count: rates.total.actions,
          wonBack: rates.total.wonBack,
          rate: format.percent(rates.total.rate),
          open: format.percent(rates.total.openShare),
        })}
      </Text>
      <SimpleGrid cols={{ base: 1, lg: 2 }}>
        <RateTable id="win-back-rates-offer" title={t('winBack.rates.byOffer')} rows={rates.byOfferType} label={(key) => t(`winBack.offer.${key}`)} />
        <RateTable id="win-back-rates-segment" title={t('winBack.rates.bySegment')} rows={rates.bySegment}
          label={(key) => (key === 'none' ? t('winBack.rates.noSegment') : key)} />
      </SimpleGrid>
    </Stack>
  );
}

function RateTable({ id, title, rows, label }: { id: string; title: string; rows: RateRow[]; label(key: string): string }) {
  const { t } = useTranslation();
  const format = useFormat();
  const option = useMemo<ChartOption>(() => ({
    aria: { enabled: true },
    tooltip: { trigger: 'axis', valueFormatter: (value: number) => format.percent(value) },
    grid: { left: 110, right: 20, top: 10, bottom: 30 },
    xAxis: { type: 'value', min: 0, max: 1, axisLabel: { formatter: (value: number) => format.percent(value) } },
    yAxis: { type: 'category', inverse: true, data: rows.map((row) => label(row.key)) },
    series: [{ type: 'bar', name: t('winBack.rates.rate'), itemStyle: { color: '#2b8a3e' }, data: rows.map((row) => row.rate ?? 0) }],
  }), [rows, label, format, t]);
  return (
    <Paper withBorder p="sm">
      <Title order={3} size="h5" mb="xs" id={id}>{title}</Title>
      {rows.length > 0 && <Chart option={option} label={t('winBack.rates.chartLabel', { title })} height={Math.max(140, rows.length * 36 + 50)} />}
      <Table aria-labelledby={id} mt="xs">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('winBack.rates.key')}</Table.Th>
            <Table.Th>{t('winBack.rates.actions')}</Table.Th>
            <Table.Th>{t('winBack.rates.wonBack')}</Table.Th>
            <Table.Th>{t('winBack.rates.declined')}</Table.Th>
            <Table.Th>{t('winBack.rates.noAnswer')}</Table.Th>
            <Table.Th>{t('winBack.rates.open')}</Table.Th>
            <Table.Th>{t('winBack.rates.rate')}</Table.Th>
            <Table.Th>{t('winBack.rates.median')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((row) => (
            <Table.Tr key={row.key}>
              <Table.Td>{label(row.key)}</Table.Td>
              <Table.Td>{format.number(row.actions)}</Table.Td>
              <Table.Td>{format.number(row.wonBack)}</Table.Td>
              <Table.Td>{format.number(row.declined)}</Table.Td>
              <Table.Td>{format.number(row.noAnswer)}</Table.Td>
              <Table.Td>{format.number(row.open)} ({format.percent(row.openShare)})</Table.Td>
              <Table.Td>{format.percent(row.rate)}</Table.Td>
              <Table.Td>{format.number(row.medianDaysToPurchase, 1)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Paper>
  );
}
