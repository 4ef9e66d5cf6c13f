/**
 * The account's activity over the analysis runs: P(active) as a line (and the same figures as a
 * table), the latest run's expected purchases and revenue over the model's horizon, and the changes
 * of activity the runs recorded, each with its reasons.
 */
import { Badge, Group, Loader, Paper, ScrollArea, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { Chart, type ChartOption } from '../../app/Chart.tsx';
import { ErrorAlert } from '../../app/errors.tsx';
import { useFormat } from '../../i18n/format.ts';
import { useAccountActivity } from '../activity/api.ts';
import { ReasonBadge } from '../activity/ReasonBadge.tsx';

const ACTIVITY_COLOURS = { active: 'green', slipping: 'orange', lost: 'red' } as const;

export function ActivityTab({ accountId }: { accountId: string }) {
  const { t } = useTranslation();
  const format = useFormat();
  const activity = useAccountActivity(accountId);

  const option = useMemo<ChartOption | null>(() => {
    const series = activity.data?.series.filter((point) => point.pAlive !== null) ?? [];
    if (series.length === 0) return null;
    return {
      aria: { enabled: true },
      tooltip: { trigger: 'axis', valueFormatter: (value: number) => format.number(value, 2) },
      grid: { left: 60, right: 20, top: 20, bottom: 40 },
      xAxis: { type: 'category', data: series.map((point) => format.date(point.asOf)) },
      yAxis: { type: 'value', min: 0, max: 1, axisLabel: { formatter: (value: number) => format.number(value, 1) } },
      series: [{ name: t('accountActivity.pAlive'), type: 'line', data: series.map((point) => point.pAlive), symbolSize: 8 }],
    };
  }, [activity.data, t, format]);

  if (activity.isPending) return <Loader aria-label={t('app.loading')} />;
  if (activity.error) return <ErrorAlert error={activity.error} />;
  const data = activity.data;
  if (data.series.length === 0) return <Text c="dimmed">{t('accountActivity.none')}</Text>;
  const latest = data.series[data.series.length - 1]!;
  const horizon = latest.timeUnit === null || latest.horizon === null ? null : t(`accountActivity.horizon.${latest.timeUnit}`, { count: latest.horizon });

  return (
    <Stack>
      <SimpleGrid cols={{ base: 1, sm: 3 }}>
        <Paper withBorder p="sm">
          <Text size="sm" c="dimmed">{t('accountActivity.latest', { asOf: format.date(latest.asOf) })}</Text>
          <Group gap="xs" mt={4}>
            <Badge color={ACTIVITY_COLOURS[latest.activity]} variant="light">{t(`activity.${latest.activity}`)}</Badge>
            <Text size="sm">{t('accountActivity.pAliveValue', { value: format.number(latest.pAlive, 2) })}</Text>
          </Group>
        </Paper>
        <Paper withBorder p="sm">
          <Text size="sm" c="dimmed">{t('accountActivity.expectedPurchases')}{horizon !== null && ` (${horizon})`}</Text>
          <Text size="lg" fw={600}>{format.number(latest.expectedPurchases, 1)}</Text>
        </Paper>
        <Paper withBorder p="sm">
          <Text size="sm" c="dimmed">{t('accountActivity.expectedRevenue')}{horizon !== null && ` (${horizon})`}</Text>
          <Text size="lg" fw={600}>{format.money(latest.expectedRevenue)}</Text>
        </Paper>
      </SimpleGrid>
      {latest.reasons.length > 0 && (
        <Group gap={4}>
          {latest.reasons.map((reason) => (
            <ReasonBadge key={reason} reason={reason} rules={data.changes.find((change) => change.to === latest.activity)?.details.rules}
              figures={{ daysSinceLastPurchase: latest.daysSinceLastPurchase, pAlive: latest.pAlive, previousPAlive: previousPAlive(data.series) }} />
          ))}
        </Group>
      )}
      <Paper withBorder p="sm">
        <Title order={2} size="h4" mb="xs" id="activity-over-runs">{t('accountActivity.overRuns')}</Title>
        {option ? <Chart option={option} label={t('accountActivity.chartLabel')} height={260} /> : <Text size="sm" c="dimmed">{t('accountActivity.noModel')}</Text>}
        <details>
          <summary>{t('accountActivity.asTable')}</summary>
          <ScrollArea viewportProps={{ tabIndex: 0, 'aria-label': t('accountActivity.asTable') }}>
            <Table aria-labelledby="activity-over-runs" miw={640}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('accountActivity.asOf')}</Table.Th>
                  <Table.Th>{t('accountActivity.activity')}</Table.Th>
                  <Table.Th>{t('accountActivity.pAlive')}</Table.Th>
                  <Table.Th>{t('accountActivity.expectedPurchases')}</Table.Th>
                  <Table.Th>{t('accountActivity.expectedRevenue')}</Table.Th>
                  <Table.Th>{t('accountActivity.daysSince')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {data.series.map((point) => (
                  <Table.Tr key={point.runId}>
                    <Table.Td>{format.date(point.asOf)}</Table.Td>
                    <Table.Td>{t(`activity.${point.activity}`)}</Table.Td>
                    <Table.Td>{format.number(point.pAlive, 2)}</Table.Td>
                    <Table.Td>{format.number(point.expectedPurchases, 1)}</Table.Td>
                    <Table.Td>{format.money(point.expectedRevenue)}</Table.Td>
                    <Table.Td>{format.number(point.daysSinceLastPurchase)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </ScrollArea>
        </details>
      </Paper>
      <Paper withBorder p="sm">
        <Title order={2} size="h4" mb="xs">{t('accountActivity.changes')}</Title>
        {data.changes.length === 0 ? <Text size="sm" c="dimmed">{t('accountActivity.noChanges')}</Text> : (
          <Stack gap="xs" component="ul" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
            {data.changes.map((change) => (
              <li key={change.id}>
                <Group gap="xs">
                  <Text size="sm" fw={600}>{format.date(change.changedOn)}</Text>
                  <Text size="sm">
                    {change.from === null
                      ? t('accountActivity.first', { to: t(`activity.${change.to}`) })
                      : t('accountActivity.changed', { from: t(`activity.${change.from}`), to: t(`activity.${change.to}`) })}
                  </Text>
                  {change.reasons.map((reason) => (
                    <ReasonBadge key={reason} reason={reason} rules={change.details.rules}
                      figures={{ daysSinceLastPurchase: change.details.daysSinceLastPurchase ?? null, pAlive: change.details.pAlive ?? null, previousPAlive: change.details.previousPAlive ?? null }} />
                  ))}
                </Group>
              </li>
            ))}
          </Stack>
        )}
      </Paper>
    </Stack>
  );
}

/** P(active) in the run before the latest, for the fall the drop rule saw. */
function previousPAlive(series: { pAlive: number | null }[]): number | null {
  return series.length < 2 ? null : series[series.length - 2]!.pAlive;
}
