/** The charts as SVG elements, drawn from the pure geometry; colours come from the stylesheet. */
import { h, svg } from '../lib/dom.js';
import { formatClock } from '../lib/format.js';
import { divergingBars, sparklinePath } from './geometry.js';
import { MINUTE, rebucket, total, type DenseSeries } from './series.js';

/** A 24-hour sparkline of invocations per hour: successes and failures as two lines. */
export function sparkline(series: DenseSeries, label: string): SVGSVGElement {
  const width = 120;
  const height = 28;
  const hourly = (values: number[]) => rebucket(values, 60);
  const ok = hourly(series.successes);
  const failed = hourly(series.failures);
  const max = Math.max(0, ...ok, ...failed);
  return svg(
    'svg',
    { class: 'sparkline', viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': label, preserveAspectRatio: 'none' },
    svg('title', null, label),
    svg('path', { class: 'spark-success', d: sparklinePath(ok, width, height, max) }),
    total(failed) > 0 ? svg('path', { class: 'spark-failure', d: sparklinePath(failed, width, height, max) }) : null,
  );
}

/**
 * Per-minute successes (up) and failures (down) over the span of `series`, with hour labels under
 * it. The SVG stretches to the container; the labels are HTML so they do not stretch with it.
 */
export function minuteChart(series: DenseSeries, label: string): HTMLElement {
  const width = series.successes.length;
  const height = 160;
  const { bars, axisY, max } = divergingBars(series.successes, series.failures, width, height);
  const chart = svg(
    'svg',
    { class: 'minute-chart', viewBox: `0 0 ${width} ${height}`, preserveAspectRatio: 'none', role: 'img', 'aria-label': label },
    svg('title', null, label),
    svg('line', { class: 'axis', x1: 0, x2: width, y1: axisY, y2: axisY }),
    bars.map((bar) =>
      svg(
        'rect',
        { class: `bar-${bar.kind}`, x: bar.x, y: bar.y, width: Math.max(bar.width, 1), height: bar.height },
        svg('title', null, `${formatClock(series.start + bar.index * MINUTE)}: ${bar.count} ${bar.kind === 'success' ? 'successful' : 'failed'}`),
      ),
    ),
  );
  const ticks: HTMLElement[] = [];
  const slots = series.successes.length;
  const hours = Math.round(slots / 60);
  const every = hours > 12 ? 3 : 1;
  for (let hour = 0; hour <= hours; hour += every) {
    const index = Math.min(hour * 60, slots - 1);
    const tick = h('span', { class: 'tick' }, formatClock(series.start + index * MINUTE));
    tick.style.left = `${(index / slots) * 100}%`;
    ticks.push(tick);
  }
  return h(
    'figure',
    { class: 'minute-chart-figure' },
    h('div', { class: 'chart-scale', 'aria-hidden': 'true' }, h('span', null, '▲ successful  ▼ failed, per minute'), h('span', null, max > 0 ? `full height: ${max} per minute` : 'no invocations')),
    chart,
    h('div', { class: 'chart-ticks', 'aria-hidden': 'true' }, ticks),
    h('figcaption', null, label),
  );
}
