/**
 * The Pareto curve: the cumulative share of the ABC metric by the share of clients, largest first,
 * with the ABC cut-offs as horizontal lines and where the A and B clients end as vertical ones. The
 * chart is a picture; the same facts are said in a sentence for screen readers.
 */
import { Text } from '@mantine/core';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { Chart, type ChartOption } from '../../app/Chart.tsx';
import { useFormat } from '../../i18n/format.ts';
import type { Dashboard } from './api.ts';

type Pareto = NonNullable<Dashboard['pareto']>;

/** The value share at `clientShare`, read off the downsampled curve by linear interpolation. */
export function valueShareAt(points: Pareto['points'], clientShare: number): number {
  let previous = points[0] ?? { clientShare: 0, valueShare: 0 };
  for (const point of points) {
    if (point.clientShare >= clientShare) {
      const span = point.clientShare - previous.clientShare;
      return span <= 0 ? point.valueShare : previous.valueShare + (point.valueShare - previous.valueShare) * (clientShare - previous.clientShare) / span;
    }
    previous = point;
  }
  return previous.valueShare;
}

export function ParetoChart({ pareto, metric }: { pareto: Pareto; metric: 'revenue' | 'margin' }) {
  const { t } = useTranslation();
  const format = useFormat();
  const metricName = t(`dashboard.pareto.metric.${metric}`);
  const option = useMemo<ChartOption>(() => ({
    aria: { enabled: true },
    tooltip: {
      trigger: 'axis',
      valueFormatter: (value: number) => format.percent(value),
    },
    grid: { left: 60, right: 70, top: 20, bottom: 50 },
    xAxis: {
      type: 'value', min: 0, max: 1, name: t('dashboard.pareto.xAxis'), nameLocation: 'middle', nameGap: 30,
      axisLabel: { formatter: (value: number) => format.percent(value) },
    },
    yAxis: { type: 'value', min: 0, max: 1, axisLabel: { formatter: (value: number) => format.percent(value) } },
    series: [{
      name: metricName,
      type: 'line',
      showSymbol: false,
      areaStyle: { opacity: 0.1 },
      data: pareto.points.map((p) => [p.clientShare, p.valueShare]),
      markLine: {
        symbol: 'none',
        silent: true,
        label: { formatter: '{b}', color: '#343a40' },
        lineStyle: { type: 'dashed', color: '#495057' },
        data: [
          { name: `A ${format.percent(pareto.cuts.a)}`, yAxis: pareto.cuts.a },
          { name: `B ${format.percent(pareto.cuts.b)}`, yAxis: pareto.cuts.b },
          { name: 'A', xAxis: pareto.clientCuts.a },
          { name: 'B', xAxis: pareto.clientCuts.b },
        ],
      },
    }],
  }), [pareto, format, metricName, t]);
  const summary = t('dashboard.pareto.summary', {
    metric: metricName,
    aClients: format.percent(pareto.clientCuts.a),
    aValue: format.percent(valueShareAt(pareto.points, pareto.clientCuts.a)),
    abClients: format.percent(pareto.clientCuts.b),
    abValue: format.percent(valueShareAt(pareto.points, pareto.clientCuts.b)),
    top20: format.percent(valueShareAt(pareto.points, 0.2)),
  });
  return (
    <>
      <Chart option={option} label={t('dashboard.pareto.label', { metric: metricName })} height={280} />
      <Text className="visually-hidden">{summary}</Text>
    </>
  );
}
