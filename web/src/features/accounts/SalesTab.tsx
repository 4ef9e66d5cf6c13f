/**
 * What the client bought, from the stored ledger: revenue and margin by month (a chart, and the same
 * figures as a table), the product groups and the products.
 */
import { Group, Loader, Paper, ScrollArea, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.ts';
import { Chart, type ChartOption } from '../../app/Chart.tsx';
import { ErrorAlert } from '../../app/errors.tsx';
import { useFormat } from '../../i18n/format.ts';

export type AccountSales = {
  months: { month: string; revenue: number; margin: number | null; lines: number }[];
  products: { product: string; group: string | null; revenue: number; margin: number | null; quantity: number; lines: number; lastDay: string }[];
  groups: { group: string | null; revenue: number; margin: number | null; products: number; lines: number }[];
  totals: { revenue: number; margin: number | null; lines: number; firstDay: string | null; lastDay: string | null };
};

export function SalesTab({ accountId }: { accountId: string }) {
  const { t } = useTranslation();
  const format = useFormat();
  const sales = useQuery({ queryKey: ['account', accountId, 'sales'], queryFn: ({ signal }) => api<AccountSales>(`/api/v1/accounts/${accountId}/sales`, { signal }) });

  const option = useMemo<ChartOption | null>(() => {
    if (!sales.data) return null;
    const months = sales.data.months;
    return {
      aria: { enabled: true },
      tooltip: { trigger: 'axis', valueFormatter: (value: number) => format.money(value) },
      legend: { top: 0, data: [t('sales.revenue'), t('sales.margin')] },
      grid: { left: 80, right: 20, top: 40, bottom: 40 },
      xAxis: { type: 'category', data: months.map((month) => month.month) },
      yAxis: { type: 'value', axisLabel: { formatter: (value: number) => format.number(value) } },
      series: [
        { name: t('sales.revenue'), type: 'bar', data: months.map((month) => month.revenue) },
        { name: t('sales.margin'), type: 'line', data: months.map((month) => month.margin) },
      ],
    };
  }, [sales.data, t, format]);

  if (sales.isPending) return <Loader aria-label={t('app.loading')} />;
  if (sales.error) return <ErrorAlert error={sales.error} />;
  const data = sales.data;
  if (data.totals.lines === 0) return <Text c="dimmed">{t('sales.none')}</Text>;
  return (
    <Stack>
      <Group gap="xl">
        <Text size="sm">{t('sales.totals', { revenue: format.money(data.totals.revenue), lines: format.number(data.totals.lines) })}</Text>
        <Text size="sm">{t('sales.marginTotal', { margin: format.money(data.totals.margin) })}</Text>
        <Text size="sm">{t('sales.span', { from: format.date(data.totals.firstDay), to: format.date(data.totals.lastDay) })}</Text>
      </Group>
      <Paper withBorder p="sm">
        <Title order={2} size="h4" mb="xs" id="sales-by-month">{t('sales.byMonth')}</Title>
        {option && <Chart option={option} label={t('sales.chartLabel')} />}
        <details>
          <summary>{t('sales.asTable')}</summary>
          <ScrollArea h={240} viewportProps={{ tabIndex: 0, 'aria-label': t('sales.asTable') }}>
            <Table aria-labelledby="sales-by-month">
              <Table.Thead><Table.Tr><Table.Th>{t('sales.month')}</Table.Th><Table.Th>{t('sales.revenue')}</Table.Th><Table.Th>{t('sales.margin')}</Table.Th><Table.Th>{t('sales.lines')}</Table.Th></Table.Tr></Table.Thead>
              <Table.Tbody>
                {data.months.map((month) => (
                  <Table.Tr key={month.month}><Table.Td>{month.month}</Table.Td><Table.Td>{format.money(month.revenue)}</Table.Td><Table.Td>{format.money(month.margin)}</Table.Td><Table.Td>{format.number(month.lines)}</Table.Td></Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </ScrollArea>
        </details>
      </Paper>
      <SimpleGrid cols={{ base: 1, lg: 2 }}>
        <Paper withBorder p="sm">
          <Title order={2} size="h4" mb="xs" id="sales-groups">{t('sales.groups')}</Title>
          <Table aria-labelledby="sales-groups">
            <Table.Thead><Table.Tr><Table.Th>{t('sales.group')}</Table.Th><Table.Th>{t('sales.revenue')}</Table.Th><Table.Th>{t('sales.margin')}</Table.Th><Table.Th>{t('sales.productCount')}</Table.Th></Table.Tr></Table.Thead>
            <Table.Tbody>
              {data.groups.map((group) => (
                <Table.Tr key={group.group ?? ''}><Table.Td>{group.group ?? t('sales.noGroup')}</Table.Td><Table.Td>{format.money(group.revenue)}</Table.Td><Table.Td>{format.money(group.margin)}</Table.Td><Table.Td>{format.number(group.products)}</Table.Td></Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Paper>
        <Paper withBorder p="sm">
          <Title order={2} size="h4" mb="xs" id="sales-products">{t('sales.products')}</Title>
          <ScrollArea h={360} viewportProps={{ tabIndex: 0, 'aria-label': t('sales.products') }}>
            <Table aria-labelledby="sales-products">
              <Table.Thead><Table.Tr><Table.Th>{t('sales.product')}</Table.Th><Table.Th>{t('sales.group')}</Table.Th><Table.Th>{t('sales.quantity')}</Table.Th><Table.Th>{t('sales.revenue')}</Table.Th><Table.Th>{t('sales.lastBought')}</Table.Th></Table.Tr></Table.Thead>
              <Table.Tbody>
                {data.products.map((product) => (
                  <Table.Tr key={product.product}><Table.Td>{product.product}</Table.Td><Table.Td>{product.group ?? '–'}</Table.Td><Table.Td>{format.number(product.quantity, 2)}</Table.Td><Table.Td>{format.money(product.revenue)}</Table.Td><Table.Td>{format.date(product.lastDay)}</Table.Td></Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </ScrollArea>
        </Paper>
      </SimpleGrid>
    </Stack>
  );
}
