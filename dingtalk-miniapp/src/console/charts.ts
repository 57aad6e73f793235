// ECharts, tree-shaken to bar charts on a canvas. Only the dashboard imports this module, and only
// through a dynamic import, so other console pages never load ECharts (issue 10).
import { use, init } from 'echarts/core';
import type { EChartsType } from 'echarts/core';
import { BarChart } from 'echarts/charts';
import { AriaComponent, GridComponent, LegendComponent, TitleComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

use([BarChart, GridComponent, LegendComponent, TitleComponent, TooltipComponent, AriaComponent, CanvasRenderer]);

export interface BarSeries {
  name: string;
  values: number[];
  stack?: string;
}

/** Colours with contrast ≥ 3:1 against white for the bars (graphics, WCAG 1.4.11). */
const PALETTE = ['#0958d9', '#b91c1c', '#15803d', '#92400e', '#6d28d9', '#0f766e'];

/** Draws a bar chart of `series` over `categories` into `el` (replacing what was there). */
export function barChart(el: HTMLElement, title: string, categories: string[], series: BarSeries[]): EChartsType {
  const chart = init(el, undefined, { renderer: 'canvas' });
  chart.setOption({
    aria: { enabled: true, label: { description: title } },
    color: PALETTE,
    title: { text: title, left: 'left', textStyle: { fontSize: 16, color: '#1f2023' } },
    tooltip: { trigger: 'axis' },
    legend: { top: 28, textStyle: { color: '#1f2023' } },
    grid: { top: 70, left: 48, right: 16, bottom: 32 },
    xAxis: { type: 'category', data: categories, axisLabel: { color: '#1f2023' } },
    yAxis: { type: 'value', axisLabel: { color: '#1f2023' } },
    series: series.map((s) => ({ type: 'bar', name: s.name, data: s.values, stack: s.stack, barMaxWidth: 36 })),
  });
  return chart;
}
