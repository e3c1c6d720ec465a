/** Chart geometry as pure functions: numbers in, SVG coordinates out (tested without a browser). */

const round = (n: number) => Math.round(n * 100) / 100;

/**
 * An SVG path through `values` scaled into width × height (y grows downwards), flat at the bottom
 * when all are zero. `max` sets the scale, so two lines can share one.
 */
export function sparklinePath(values: readonly number[], width: number, height: number, max = Math.max(0, ...values), padding = 1): string {
  if (values.length === 0) return '';
  const usable = height - 2 * padding;
  const step = values.length === 1 ? 0 : width / (values.length - 1);
  return values
    .map((value, index) => {
      const x = round(index * step);
      const y = round(max === 0 ? height - padding : height - padding - (value / max) * usable);
      return `${index === 0 ? 'M' : 'L'}${x} ${y}`;
    })
    .join(' ');
}

export interface Bar {
  index: number;
  kind: 'success' | 'failure';
  count: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * A diverging bar chart: successes rise above a middle axis, failures hang below it, one slot per
 * value, both halves on the same scale so their sizes compare. Zero values draw no bar.
 */
export function divergingBars(successes: readonly number[], failures: readonly number[], width: number, height: number): { bars: Bar[]; axisY: number; max: number } {
  const slots = Math.max(successes.length, failures.length);
  const max = Math.max(0, ...successes, ...failures);
  const axisY = height / 2;
  const slot = slots === 0 ? 0 : width / slots;
  const bars: Bar[] = [];
  if (max === 0) return { bars, axisY, max };
  // A single failure among hundreds of successes must stay visible: at least one unit tall.
  const scale = (count: number) => Math.max(1, (count / max) * axisY);
  for (let index = 0; index < slots; index += 1) {
    const ok = successes[index] ?? 0;
    const failed = failures[index] ?? 0;
    if (ok > 0) bars.push({ index, kind: 'success', count: ok, x: round(index * slot), y: round(axisY - scale(ok)), width: round(slot), height: round(scale(ok)) });
    if (failed > 0) bars.push({ index, kind: 'failure', count: failed, x: round(index * slot), y: round(axisY), width: round(slot), height: round(scale(failed)) });
  }
  return { bars, axisY, max };
}
