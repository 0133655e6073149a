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

export interface HeatmapPanel {
  title: string;
  /** Labels of the rows (y, top to bottom) and columns (x, left to right). */
  rows: readonly string[];
  cols: readonly string[];
  /** values[r][c] */
  values: readonly (readonly number[])[];
}

/**
 * Heat maps side by side (one per panel), for attention weights: rows are output steps,
 * columns input steps, colour the weight in [0, 1].
 */
export async function heatmapSVG(panels: readonly HeatmapPanel[], options: { title?: string; cell?: number; colorTitle?: string } = {}): Promise<string> {
  if (!Array.isArray(panels as unknown) || panels.length === 0) throw new ArgumentError('heatmapSVG', 'panels', 'a non-empty array of { title, rows, cols, values }', panels);
  const cell = options.cell ?? 22;
  const specs = panels.map((p, k) => {
    if (p.values.length !== p.rows.length || p.values.some((r) => r.length !== p.cols.length)) {
      throw new ArgumentError('heatmapSVG', `panels[${k}].values`, `${p.rows.length} rows of ${p.cols.length} values`, `${p.values.length} rows`);
    }
    // Positions carry the order (labels may repeat: a word can have two identical letters).
    const values = p.values.flatMap((r, i) => r.map((v, j) => ({ row: `${i}`, col: `${j}`, rowLabel: p.rows[i], colLabel: p.cols[j], v })));
    const labelExpr = (labels: readonly string[]): string => `[${labels.map((l) => JSON.stringify(l)).join(',')}][toNumber(datum.value)]`;
    return {
      title: p.title,
      width: cell * p.cols.length,
      height: cell * p.rows.length,
      data: { values },
      mark: 'rect' as const,
      encoding: {
        x: { field: 'col', type: 'ordinal' as const, sort: p.cols.map((_, j) => `${j}`), title: null, axis: { labelExpr: labelExpr(p.cols), labelAngle: 0, orient: 'top' as const } },
        y: { field: 'row', type: 'ordinal' as const, sort: p.rows.map((_, i) => `${i}`), title: null, axis: { labelExpr: labelExpr(p.rows) } },
        color: { field: 'v', type: 'quantitative' as const, title: options.colorTitle ?? 'weight', scale: { domain: [0, 1], scheme: 'blues' } },
      },
    };
  });
  const spec = vl.compile({
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    ...(options.title ? { title: options.title } : {}),
    background: 'white',
    hconcat: specs,
  } as unknown as vl.TopLevelSpec).spec;
  const view = new vega.View(vega.parse(spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
