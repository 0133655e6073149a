// Line charts as SVG, drawn by Vega-Lite/Vega headless (no browser, no canvas, no
// network: data is inline). Used for training curves next to checkpoints (the CLI) and for
// the figures of the long-range task script.

import * as vega from 'vega';
import * as vl from 'vega-lite';
import { ArgumentError } from '../errors.js';

export interface Series {
  name: string;
  /** [x, y] points; non-finite y values are dropped. */
  points: readonly (readonly [number, number])[];
}

export interface LineChartOptions {
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** Logarithmic y axis (values ≤ 0 are dropped). */
  logY?: boolean;
  width?: number;
  height?: number;
}

/** An SVG document with one line per series. */
export async function lineChartSVG(series: readonly Series[], options: LineChartOptions = {}): Promise<string> {
  if (!Array.isArray(series) || series.length === 0) throw new ArgumentError('lineChartSVG', 'series', 'a non-empty array of { name, points }', series);
  const values: { x: number; y: number; series: string }[] = [];
  for (const s of series) {
    for (const [x, y] of s.points) if (Number.isFinite(x) && Number.isFinite(y) && (!options.logY || y > 0)) values.push({ x, y, series: s.name });
  }
  const spec = vl.compile({
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    ...(options.title ? { title: options.title } : {}),
    width: options.width ?? 560,
    height: options.height ?? 320,
    background: 'white',
    data: { values },
    mark: { type: 'line', point: values.length <= 60 },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: options.xLabel ?? 'x' },
      y: { field: 'y', type: 'quantitative', title: options.yLabel ?? 'y', ...(options.logY ? { scale: { type: 'log' } } : { scale: { zero: false } }) },
      color: { field: 'series', type: 'nominal', title: null },
    },
  }).spec;
  const view = new vega.View(vega.parse(spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
