/** Data tables with a caption and column headers, so screen readers can name every cell. */
import { h, type Child } from '../lib/dom.js';

export interface Column<T> {
  header: Child;
  cell: (row: T) => Child;
  className?: string;
}

export function dataTable<T>(caption: string, columns: readonly Column<T>[], rows: readonly T[], empty: string, options: { captionHidden?: boolean; rowClass?: (row: T) => string } = {}): HTMLElement {
  if (rows.length === 0) return h('p', { class: 'empty' }, empty);
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      null,
      h('caption', { class: options.captionHidden ? 'visually-hidden' : null }, caption),
      h('thead', null, h('tr', null, columns.map((column) => h('th', { scope: 'col', class: column.className ?? null }, column.header)))),
      h('tbody', null, rows.map((row) => h('tr', { class: options.rowClass?.(row) ?? null }, columns.map((column) => h('td', { class: column.className ?? null }, column.cell(row)))))),
    ),
  );
}
