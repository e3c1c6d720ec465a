/**
 * The template editor: a plain <textarea> (so typing, selection, undo and screen readers behave
 * as everywhere) over a mirror that paints diagnostics, a line-number gutter that marks lines with
 * problems, and a `#variable` completion list (ARIA combobox: arrows, Enter or Tab, Escape).
 */
import { h, uid } from '../lib/dom.js';
import { applyCompletion, suggestions, tokenAtCaret, type TokenAtCaret, type Variable } from './autocomplete.js';
import { diagnosticRange, lineColumnAt, mergedRanges, offsetAt, type TemplateDiagnostic } from './positions.js';

export interface CodeEditor {
  element: HTMLElement;
  textarea: HTMLTextAreaElement;
  value(): string;
  setDiagnostics(diagnostics: readonly TemplateDiagnostic[]): void;
  setVariables(variables: readonly Variable[]): void;
  onChange(listener: (text: string) => void): void;
  /** Puts the caret at a 1-based line and column and focuses the editor. */
  reveal(line: number, column: number): void;
}

export function codeEditor(options: { value: string; readOnly: boolean; describedBy?: string }): CodeEditor {
  const listId = uid('completions');
  const textarea = h('textarea', {
    class: 'code-input',
    spellcheck: 'false',
    autocomplete: 'off',
    autocapitalize: 'off',
    wrap: 'off',
    readonly: options.readOnly,
    role: 'combobox',
    'aria-multiline': 'true',
    'aria-autocomplete': 'list',
    'aria-expanded': 'false',
    'aria-controls': listId,
    'aria-describedby': options.describedBy ?? null,
  });
  textarea.id = uid('template-text');
  textarea.value = options.value;
  const mirror = h('pre', { class: 'code-mirror', 'aria-hidden': 'true' });
  const gutter = h('pre', { class: 'code-gutter', 'aria-hidden': 'true' });
  const list = h('ul', { class: 'completions', role: 'listbox', id: listId, hidden: true, 'aria-label': 'Variables' });
  const measure = h('span', { class: 'code-measure', 'aria-hidden': 'true' }, 'x'.repeat(10));
  const area = h('div', { class: 'code-area' }, mirror, textarea, list, measure);
  const element = h('div', { class: 'code-editor' }, gutter, area);

  let diagnostics: readonly TemplateDiagnostic[] = [];
  let variables: readonly Variable[] = [];
  let token: TokenAtCaret | null = null;
  let items: Variable[] = [];
  let active = 0;
  const listeners: Array<(text: string) => void> = [];

  const paint = () => {
    const text = textarea.value;
    const lines = text.split('\n').length;
    const bad = new Set(diagnostics.map((d) => d.line));
    gutter.replaceChildren(...Array.from({ length: lines }, (_, i) => h('span', { class: bad.has(i + 1) ? 'gutter-line gutter-error' : 'gutter-line' }, bad.has(i + 1) ? `● ${i + 1}` : String(i + 1))));
    const ranges = mergedRanges(diagnostics.map((d) => diagnosticRange(text, d)));
    const parts: Array<Node | string> = [];
    let at = 0;
    for (const range of ranges) {
      parts.push(text.slice(at, range.start));
      const messages = diagnostics.filter((d) => {
        const r = diagnosticRange(text, d);
        return r.start < range.end && r.end > range.start;
      });
      parts.push(h('mark', { class: 'diagnostic-mark', title: messages.map((m) => m.message).join('\n') }, text.slice(range.start, range.end)));
      at = range.end;
    }
    // A trailing newline needs a character after it, or the mirror is one line shorter than the textarea.
    parts.push(`${text.slice(at)}\n`);
    mirror.replaceChildren(...parts);
    syncScroll();
  };

  const syncScroll = () => {
    mirror.scrollTop = textarea.scrollTop;
    mirror.scrollLeft = textarea.scrollLeft;
    gutter.scrollTop = textarea.scrollTop;
  };

  const close = () => {
    token = null;
    items = [];
    list.hidden = true;
    textarea.setAttribute('aria-expanded', 'false');
    textarea.removeAttribute('aria-activedescendant');
  };

  const accept = (index: number) => {
    const chosen = items[index];
    if (!chosen || !token) return;
    const result = applyCompletion(textarea.value, token, chosen.name);
    textarea.value = result.text;
    textarea.setSelectionRange(result.caret, result.caret);
    close();
    changed();
  };

  const showActive = () => {
    list.querySelectorAll('[role=option]').forEach((option, index) => option.setAttribute('aria-selected', index === active ? 'true' : 'false'));
    const option = list.children[active];
    if (option instanceof HTMLElement) {
      textarea.setAttribute('aria-activedescendant', option.id);
      option.scrollIntoView({ block: 'nearest' });
    }
  };

  const position = () => {
    if (!token) return;
    const { line, column } = lineColumnAt(textarea.value, token.start);
    const style = getComputedStyle(textarea);
    const charWidth = measure.getBoundingClientRect().width / 10 || 8;
    const lineHeight = parseFloat(style.lineHeight) || 20;
    const left = parseFloat(style.paddingLeft) + (column - 1) * charWidth - textarea.scrollLeft;
    const top = parseFloat(style.paddingTop) + line * lineHeight - textarea.scrollTop;
    list.style.left = `${Math.max(0, Math.min(left, textarea.clientWidth - 200))}px`;
    list.style.top = `${top + 2}px`;
  };

  const complete = () => {
    if (options.readOnly) return close();
    token = tokenAtCaret(textarea.value, textarea.selectionStart);
    items = token && textarea.selectionStart === textarea.selectionEnd ? suggestions(token.prefix, variables) : [];
    if (!token || items.length === 0) return close();
    active = 0;
    list.replaceChildren(
      ...items.map((variable, index) => {
        const option = h('li', { role: 'option', id: `${listId}-${index}`, class: 'completion' }, h('span', { class: 'completion-name' }, `#${variable.name}`), h('span', { class: 'completion-type' }, variable.type), variable.description ? h('span', { class: 'completion-doc' }, variable.description) : null);
        // mousedown, not click: keep the focus (and the caret) in the textarea.
        option.addEventListener('mousedown', (event) => {
          event.preventDefault();
          accept(index);
        });
        return option;
      }),
    );
    list.hidden = false;
    textarea.setAttribute('aria-expanded', 'true');
    position();
    showActive();
  };

  const changed = () => {
    paint();
    for (const listener of listeners) listener(textarea.value);
  };

  textarea.addEventListener('input', () => {
    changed();
    complete();
  });
  textarea.addEventListener('scroll', syncScroll);
  textarea.addEventListener('blur', () => close());
  textarea.addEventListener('click', () => close());
  textarea.addEventListener('keydown', (event) => {
    if (!list.hidden) {
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        active = (active + (event.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length;
        showActive();
        return;
      }
      if (event.key === 'Enter' || event.key === 'Tab') {
        event.preventDefault();
        accept(active);
        return;
      }
      if (event.key === 'Escape') {
        event.preventDefault();
        close();
        return;
      }
    }
    if (event.key === ' ' && event.ctrlKey) {
      event.preventDefault();
      complete();
    }
  });

  paint();
  return {
    element,
    textarea,
    value: () => textarea.value,
    setDiagnostics: (next) => {
      diagnostics = next;
      if (next.length > 0) textarea.setAttribute('aria-invalid', 'true');
      else textarea.removeAttribute('aria-invalid');
      paint();
    },
    setVariables: (next) => {
      variables = next;
    },
    onChange: (listener) => listeners.push(listener),
    reveal: (line, column) => {
      const offset = offsetAt(textarea.value, line, column);
      textarea.focus();
      textarea.setSelectionRange(offset, offset);
    },
  };
}
