/** Name/value rows (custom headers, template params) as an editable list. */
import { h } from '../lib/dom.js';
import type { HeaderRow } from './model.js';

export interface PairsEditorOptions {
  rows: HeaderRow[];
  /** "Header", "Param": used in each input's accessible name. */
  noun: string;
  namePlaceholder: string;
  valuePlaceholder: string;
}

export function pairsEditor(options: PairsEditorOptions): HTMLElement {
  const { rows, noun } = options;
  const list = h('div', { class: 'pair-rows' });
  const add = h('button', { type: 'button', class: 'button small' }, `Add ${noun.toLowerCase()}`);
  const render = () => {
    list.replaceChildren(
      ...rows.map((row, index) => {
        const name = h('input', { type: 'text', value: row.name, 'aria-label': `${noun} ${index + 1} name`, placeholder: options.namePlaceholder, spellcheck: 'false', autocomplete: 'off' });
        const value = h('input', { type: 'text', value: row.value, 'aria-label': `${noun} ${index + 1} value`, placeholder: options.valuePlaceholder, spellcheck: 'false', autocomplete: 'off' });
        name.addEventListener('input', () => (row.name = name.value));
        value.addEventListener('input', () => (row.value = value.value));
        const remove = h('button', { type: 'button', class: 'button small', 'aria-label': `Remove ${noun.toLowerCase()} ${index + 1}` }, 'Remove');
        remove.addEventListener('click', () => {
          rows.splice(index, 1);
          render();
          add.focus();
        });
        return h('div', { class: 'pair-row' }, name, value, remove);
      }),
    );
  };
  add.addEventListener('click', () => {
    rows.push({ name: '', value: '' });
    render();
    list.querySelector<HTMLInputElement>('.pair-row:last-child input')?.focus();
  });
  render();
  return h('div', { class: 'pairs-editor' }, list, add);
}
