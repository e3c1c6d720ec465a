/** Markdown tables and human-readable rates for the console, results.json keeps the raw numbers. */

/** 12345678 → '12.3 M', 45678 → '45.7 k', 12.5 → '12.5'. */
export function formatRate(x) {
  if (x === null || x === undefined || Number.isNaN(x)) return '—';
  if (x >= 1e9) return `${(x / 1e9).toFixed(2)} G`;
  if (x >= 1e6) return `${(x / 1e6).toFixed(x >= 1e8 ? 0 : 1)} M`;
  if (x >= 1e3) return `${(x / 1e3).toFixed(x >= 1e5 ? 0 : 1)} k`;
  return x.toFixed(x >= 100 ? 0 : 1);
}

/** 12.34 → '12.3×', 0.456 → '0.46×'. */
export function formatRatio(x) {
  if (x === null || x === undefined || Number.isNaN(x)) return '—';
  return `${x >= 10 ? x.toFixed(1) : x.toFixed(2)}×`;
}

/** A table is `{ title, columns, rows, align? }`; cells are already strings or numbers. */
export function markdownTable(table) {
  const cells = table.rows.map((row) => row.map((cell) => String(cell ?? '—')));
  const header = table.columns.map(String);
  const widths = header.map((h, i) => Math.max(h.length, 3, ...cells.map((row) => (row[i] ?? '').length)));
  const align = table.align ?? header.map((_, i) => (i === 0 ? 'left' : 'right'));
  const pad = (text, i) => (align[i] === 'left' ? text.padEnd(widths[i]) : text.padStart(widths[i]));
  const line = (row) => `| ${row.map(pad).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (align[i] === 'left' ? '-'.repeat(w) : '-'.repeat(w - 1) + ':')).join(' | ')} |`;
  return [line(header), rule, ...cells.map(line)].join('\n');
}

/** A target line: `PASS tocsin vs fastest peer (value > 80 …): 23.4× (target ≥ 10×)`, or `… (target ≤ 2×)`. */
export function formatTarget(target) {
  const verdict = target.pass ? 'PASS' : 'MISS';
  const shown = target.unit === '×' ? formatRatio(target.value) : `${formatRate(target.value)}${target.unit}`;
  const goal = target.unit === '×' ? `${target.target}×` : `${formatRate(target.target)}${target.unit}`;
  // A target with `atMost: true` is a ceiling (a cost ratio, a memory ratio), otherwise a floor.
  return `${verdict}  ${target.name}: ${shown} (target ${target.atMost ? '≤' : '≥'} ${goal})`;
}
