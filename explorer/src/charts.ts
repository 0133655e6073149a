// ECharts (Apache ECharts, tree-shaken to line charts and heat maps) behind two helpers.
// Each chart counts its updates in data-updates, which the browser tests watch.

import * as echarts from 'echarts/core';
import { HeatmapChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TitleComponent, TooltipComponent, VisualMapComponent, MarkLineComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([LineChart, HeatmapChart, GridComponent, LegendComponent, TitleComponent, TooltipComponent, VisualMapComponent, MarkLineComponent, CanvasRenderer]);

export class Chart {
  readonly root: HTMLDivElement;
  private chart: echarts.ECharts | null = null;
  private updates = 0;
  private readonly history: number[] = [];
  private observer: ResizeObserver;

  constructor(testid: string, cls = 'chart') {
    this.root = document.createElement('div');
    this.root.className = cls;
    this.root.dataset.testid = testid;
    this.root.dataset.updates = '0';
    this.observer = new ResizeObserver(() => this.chart?.resize());
    this.observer.observe(this.root);
  }

  set(option: Record<string, unknown>, points: number): void {
    this.chart ??= echarts.init(this.root, null, { renderer: 'canvas' });
    this.chart.setOption(option, { notMerge: true, lazyUpdate: false });
    this.updates++;
    this.root.dataset.updates = String(this.updates);
    this.root.dataset.points = String(points);
    // The data size of the recent redraws, for the browser tests: proof the chart grew while training.
    this.history.push(points);
    if (this.history.length > 200) this.history.shift();
    this.root.dataset.history = this.history.join(',');
  }

  dispose(): void {
    this.observer.disconnect();
    this.chart?.dispose();
  }
}

export interface LineSeries {
  name: string;
  data: [number, number | null][];
  color?: string;
  dashed?: boolean;
}

const PALETTE = ['#d1495b', '#2f6fde', '#2a9d5b', '#e39b1b', '#7b4fc9'];

export function lineOption(title: string, series: LineSeries[], o: { logY?: boolean; xName?: string; yName?: string; markX?: number } = {}): Record<string, unknown> {
  return {
    animation: false,
    title: { text: title, left: 8, top: 4, textStyle: { fontSize: 13 } },
    legend: { top: 4, right: 8 },
    tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => (typeof v === 'number' ? v.toPrecision(4) : String(v)) },
    grid: { left: 64, right: 20, top: 40, bottom: 40 },
    xAxis: { type: 'value', name: o.xName ?? '', nameLocation: 'middle', nameGap: 26, scale: true },
    yAxis: { type: o.logY ? 'log' : 'value', name: o.yName ?? '', nameLocation: 'middle', nameGap: 48, scale: !o.logY,
      axisLabel: o.logY ? { formatter: (v: number) => v.toExponential(0) } : {} },
    series: series.map((s, i) => ({
      name: s.name, type: 'line', showSymbol: false, data: s.data, connectNulls: false,
      lineStyle: { width: 1.6, type: s.dashed ? 'dashed' : 'solid', color: s.color ?? PALETTE[i % PALETTE.length] },
      itemStyle: { color: s.color ?? PALETTE[i % PALETTE.length] },
      ...(o.markX !== undefined && i === 0 ? { markLine: { symbol: 'none', silent: true, data: [{ xAxis: o.markX }], lineStyle: { color: '#999' }, label: { formatter: 'free run' } } } : {}),
    })),
  };
}

/** A heat map of rows × columns (rows drawn top to bottom). */
export function heatmapOption(title: string, matrix: number[][], xLabels: string[], yLabels: string[], o: { min: number; max: number; diverging?: boolean; xName?: string; yName?: string }): Record<string, unknown> {
  const data: [number, number, number][] = [];
  matrix.forEach((row, r) => row.forEach((v, c) => data.push([c, r, v])));
  return {
    animation: false,
    title: { text: title, left: 8, top: 2, textStyle: { fontSize: 13 } },
    tooltip: { formatter: (p: { value: [number, number, number] }) => `${yLabels[p.value[1]] ?? ''} · ${xLabels[p.value[0]] ?? ''}: ${p.value[2].toPrecision(4)}` },
    grid: { left: 56, right: 70, top: 30, bottom: 36 },
    xAxis: { type: 'category', data: xLabels, name: o.xName ?? '', nameLocation: 'middle', nameGap: 22, axisLabel: { interval: xLabels.length > 40 ? 'auto' : 0, fontSize: 10 }, splitArea: { show: false } },
    yAxis: { type: 'category', data: yLabels, inverse: true, name: o.yName ?? '', nameLocation: 'middle', nameGap: 40, axisLabel: { interval: yLabels.length > 24 ? 'auto' : 0, fontSize: 10 } },
    visualMap: {
      min: o.min, max: o.max, calculable: false, orient: 'vertical', right: 4, top: 'middle', itemHeight: 120, precision: 2,
      inRange: { color: o.diverging ? ['#2166ac', '#f7f7f7', '#b2182b'] : ['#f7fbff', '#6baed6', '#08306b'] },
    },
    series: [{ type: 'heatmap', data, progressive: 0, emphasis: { disabled: true } }],
  };
}
