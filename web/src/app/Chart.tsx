/**
 * An ECharts chart in React: made once per element, given new options as they change, resized with
 * its box, disposed with the component. Only the chart types and components the app uses are
 * registered, which keeps them out of the bundle otherwise. Every chart is a figure with a label;
 * the pages that show one give its data as a table too, for screen readers and keyboard users.
 */
import { BarChart, GraphChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, MarkLineComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';

echarts.use([BarChart, LineChart, GraphChart, GridComponent, LegendComponent, MarkLineComponent, TooltipComponent, SVGRenderer]);

export type ChartOption = echarts.EChartsCoreOption;
export type ChartEvents = Partial<Record<'click' | 'dblclick', (params: { dataType?: string; data?: unknown; name?: string }) => void>>;

export function Chart({ option, label, height = 320, events }: { option: ChartOption; label: string; height?: number; events?: ChartEvents }) {
  const element = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);

  useEffect(() => {
    if (element.current === null) return;
    const instance = echarts.init(element.current, undefined, { renderer: 'svg' });
    chart.current = instance;
    const observer = new ResizeObserver(() => instance.resize());
    observer.observe(element.current);
    return () => {
      observer.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption(option, { notMerge: true });
  }, [option]);

  useEffect(() => {
    const instance = chart.current;
    if (instance === null || events === undefined) return;
    const handlers = Object.entries(events);
    for (const [name, handler] of handlers) instance.on(name, handler as (params: unknown) => void);
    return () => {
      for (const [name] of handlers) instance.off(name);
    };
  }, [events]);

  return <div ref={element} role="img" aria-label={label} style={{ width: '100%', height }} />;
}
