/**
 * The pieces the dossier's Refusals tab and the portfolio's page share: the count by month stacked by
 * reason (a chart, and the same figures as a table), the trend in words, and the most frequent
 * reasons and directions (bars, and tables with counts and shares).
 */
import { Badge, Paper, ScrollArea, Table, Text, Title } from '@mantine/core';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { Chart, type ChartOption } from '../../app/Chart.tsx';
import { useFormat } from '../../i18n/format.ts';
import { REASON_COLOURS, REFUSAL_REASONS, type RefusalStats, type Trend } from './api.ts';

const TREND_COLOURS = { rising: 'red', falling: 'green', flat: 'gray' } as const;

/** The trend's label as a badge, and its measures in a sentence. */
export function TrendText({ trend }: { trend: Trend }) {
  const { t } = useTranslation();
  const format = useFormat();
  return (
    <Text size="sm" component="div">
      <Badge color={TREND_COLOURS[trend.direction]} variant="light" mr="xs">{t(`refusals.trend.${trend.direction}`)}</Badge>
      {t('refusals.trend.detail', {
        slope: `${trend.slope > 0 ? '+' : ''}${format.number(trend.slope, 2)}`,
        recent: format.number(trend.recent),
        previous: format.number(trend.previous),
      })}
    </Text>
  );
}

/** One sentence of the figures: how many, the trend's label and the most frequent reason. */
export function StatsSummary({ stats }: { stats: RefusalStats }) {
  const { t } = useTranslation();
  const format = useFormat();
  const top = stats.reasons[0];
  return (
    <Text data-testid="refusals-summary">
      {t('refusals.summary', {
        count: stats.total,
        from: format.date(stats.from),
        to: format.date(stats.to),
        trend: t(`refusals.trend.${stats.trend.direction}`),
      })}
      {' '}
      {top !== undefined && top.count > 0 ? t('refusals.topReason', { reason: t(`refusals.reason.${top.reason}`), share: format.percent(top.share) }) : ''}
    </Text>
  );
}

/** Refusals by month, stacked by reason, with the figures as a table for those who do not see the chart. */
export function MonthlyChart({ stats, id }: { stats: RefusalStats; id: string }) {
  const { t } = useTranslation();
  const format = useFormat();
  const option = useMemo<ChartOption>(() => ({
    aria: { enabled: true },
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 40, right: 20, top: 60, bottom: 40 },
    xAxis: { type: 'category', data: stats.months.map((month) => month.month) },
    yAxis: { type: 'value', minInterval: 1 },
    series: REFUSAL_REASONS.map((reason) => ({
      name: t(`refusals.reason.${reason}`),
      type: 'bar',
      stack: 'reasons',
      itemStyle: { color: REASON_COLOURS[reason] },
      data: stats.months.map((month) => month.byReason[reason]),
    })),
  }), [stats, t]);
  return (
    <Paper withBorder p="sm">
      <Title order={2} size="h4" mb="xs" id={id}>{t('refusals.byMonth')}</Title>
      <Chart option={option} label={t('refusals.chartLabel', { count: stats.total })} />
      <details>
        <summary>{t('refusals.asTable')}</summary>
        <ScrollArea h={260} viewportProps={{ tabIndex: 0, 'aria-label': t('refusals.asTable') }}>
          <Table aria-labelledby={id}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('refusals.month')}</Table.Th>
                <Table.Th>{t('refusals.count')}</Table.Th>
                {REFUSAL_REASONS.map((reason) => <Table.Th key={reason}>{t(`refusals.reason.${reason}`)}</Table.Th>)}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {stats.months.map((month) => (
                <Table.Tr key={month.month}>
                  <Table.Td>{month.month}</Table.Td>
                  <Table.Td>{format.number(month.count)}</Table.Td>
                  {REFUSAL_REASONS.map((reason) => <Table.Td key={reason}>{format.number(month.byReason[reason])}</Table.Td>)}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollArea>
      </details>
    </Paper>
  );
}

/** A ranking (reasons or directions): horizontal bars and the same figures in a table. */
export function RankingPanel({ id, title, rows }: { id: string; title: string; rows: { key: string; label: string; count: number; share: number; colour?: string }[] }) {
  const { t } = useTranslation();
  const format = useFormat();
  const option = useMemo<ChartOption>(() => {
    const reversed = [...rows].reverse();
    return {
      aria: { enabled: true },
      tooltip: { trigger: 'axis' },
      grid: { left: 160, right: 30, top: 10, bottom: 30 },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', data: reversed.map((row) => row.label), axisLabel: { width: 150, overflow: 'truncate' } },
      series: [{
        type: 'bar',
        name: t('refusals.count'),
        data: reversed.map((row) => (row.colour === undefined ? row.count : { value: row.count, itemStyle: { color: row.colour } })),
      }],
    };
  }, [rows, t]);
  return (
    <Paper withBorder p="sm">
      <Title order={2} size="h4" mb="xs" id={id}>{title}</Title>
      {rows.length === 0 ? <Text c="dimmed">{t('refusals.none')}</Text> : (
        <>
          <Chart option={option} label={title} height={Math.max(160, rows.length * 28 + 40)} />
          <Table aria-labelledby={id}>
            <Table.Thead><Table.Tr><Table.Th>{title}</Table.Th><Table.Th>{t('refusals.count')}</Table.Th><Table.Th>{t('refusals.share')}</Table.Th></Table.Tr></Table.Thead>
            <Table.Tbody>
              {rows.map((row) => (
                <Table.Tr key={row.key}><Table.Td>{row.label}</Table.Td><Table.Td>{format.number(row.count)}</Table.Td><Table.Td>{format.percent(row.share)}</Table.Td></Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </>
      )}
    </Paper>
  );
}

/** The reasons with at least one refusal and the directions, as RankingPanel takes them. */
export function useRankings(stats: RefusalStats | undefined) {
  const { t } = useTranslation();
  return useMemo(() => ({
    reasons: (stats?.reasons ?? []).filter((row) => row.count > 0).map((row) => ({
      key: row.reason, label: t(`refusals.reason.${row.reason}`), count: row.count, share: row.share, colour: REASON_COLOURS[row.reason],
    })),
    directions: (stats?.directions ?? []).map((row) => ({
      key: row.direction ?? '', label: row.direction ?? t('refusals.noDirection'), count: row.count, share: row.share,
    })),
  }), [stats, t]);
}
