/** Create a silence: label matchers (rule, entity, severity, tags.x, …), how long, and why. */
import { ApiProblem, describeProblem } from '../lib/api.js';
import type { PageContext } from '../lib/context.js';
import { h } from '../lib/dom.js';
import { field, fieldGroup, FieldErrors, select, textInput } from '../components/fields.js';
import { fieldProblems } from '../webhooks/problems.js';
import type { Matcher } from './types.js';

const OPERATORS = [['=', '='], ['!=', '≠'], ['=~', 'like'], ['!~', 'not like']] as const;

export interface SilenceForm {
  element: HTMLElement;
  /** Fills the matchers (from an alert's Silence button) and focuses the form. */
  prefill(matchers: Matcher[]): void;
}

export function silenceForm(context: PageContext, onCreated: () => void): SilenceForm {
  const rows: Matcher[] = [{ name: 'rule', value: '', op: '=' }];
  const errors = new FieldErrors();
  const list = h('div', { class: 'matcher-rows' });
  const render = () => {
    list.replaceChildren(
      ...rows.map((row, index) => {
        const name = textInput({ 'aria-label': `Matcher ${index + 1} label`, placeholder: 'rule, entity, severity, tags.env…' });
        name.value = row.name;
        name.addEventListener('input', () => (row.name = name.value));
        const op = select(OPERATORS, row.op ?? '=');
        op.setAttribute('aria-label', `Matcher ${index + 1} operator`);
        op.addEventListener('change', () => (row.op = op.value));
        const value = textInput({ 'aria-label': `Matcher ${index + 1} value`, placeholder: 'value or pattern with * and ?' });
        value.value = row.value;
        value.addEventListener('input', () => (row.value = value.value));
        const remove = h('button', { type: 'button', class: 'button small', 'aria-label': `Remove matcher ${index + 1}`, disabled: rows.length === 1 }, 'Remove');
        remove.addEventListener('click', () => {
          rows.splice(index, 1);
          render();
        });
        return h('div', { class: 'matcher-row' }, name, op, value, remove);
      }),
    );
  };
  render();
  const add = h('button', { type: 'button', class: 'button small' }, 'Add matcher');
  add.addEventListener('click', () => {
    rows.push({ name: '', value: '', op: '=' });
    render();
  });
  const duration = textInput({ value: '1h', placeholder: '1h' });
  const comment = h('textarea', { rows: 2 });
  const submit = h('button', { type: 'submit', class: 'button primary' }, 'Create silence');
  const form = h(
    'form',
    { class: 'silence-form', novalidate: true },
    errors.summary,
    fieldGroup({ legend: 'Silence alerts whose labels match all of', pointer: '/matchers', errors, children: [list, add] }),
    h('div', { class: 'grid-2' },
      field({ label: 'For how long', control: duration, pointer: '/duration', errors, help: 'From now: 30m, 2h, 1d.' }),
      field({ label: 'Why (shown to everyone)', control: comment, pointer: '/comment', errors }),
    ),
    h('div', { class: 'form-actions' }, submit),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    errors.clear();
    submit.disabled = true;
    const matchers = rows.filter((r) => r.name.trim() !== '').map((r) => ({ name: r.name.trim(), value: r.value, op: r.op ?? '=' }));
    try {
      await context.api.post('/api/v1/silences', { matchers, duration: duration.value.trim(), comment: comment.value });
      context.flash('success', 'Silence created: matching alerts stay open but send no notifications until it ends.');
      onCreated();
    } catch (error) {
      const problems = error instanceof ApiProblem ? fieldProblems(error.details) : [];
      errors.show(problems.length > 0 ? problems : [{ pointer: '', message: describeProblem(error) }], 'The silence was not created');
    } finally {
      submit.disabled = false;
    }
  });
  return {
    element: form,
    prefill: (matchers) => {
      rows.splice(0, rows.length, ...matchers.map((m) => ({ ...m, op: m.op ?? '=' })));
      render();
      list.querySelector<HTMLInputElement>('input')?.focus();
      form.scrollIntoView({ block: 'start' });
    },
  };
}
