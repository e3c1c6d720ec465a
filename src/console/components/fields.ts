/**
 * Labelled form controls whose error message sits right under them. `FieldErrors` maps the API's
 * JSON pointers to those slots (see webhooks/problems.ts) and builds the summary at the top of the
 * form with links to each field, as the GOV.UK error summary pattern does.
 */
import { h, uid, type Child } from '../lib/dom.js';
import { fieldForPointer, pointerLabel, type FieldProblem } from '../webhooks/problems.js';

interface Slot {
  wrapper: HTMLElement;
  control: HTMLElement;
  message: HTMLElement;
  label: string;
}

function clearMessage(slot: Slot): void {
  slot.message.replaceChildren();
  slot.message.hidden = true;
  slot.wrapper.classList.remove('has-error');
  slot.control.removeAttribute('aria-invalid');
}

export class FieldErrors {
  private readonly slots = new Map<string, Slot>();
  readonly summary: HTMLElement = h('div', { class: 'error-summary', tabindex: '-1', hidden: true });

  register(pointer: string, slot: Slot): void {
    this.slots.set(pointer, slot);
    // Once the user edits a field its old message is stale: drop it (the summary stays until the next save).
    slot.wrapper.addEventListener('input', () => clearMessage(slot));
    slot.wrapper.addEventListener('change', () => clearMessage(slot));
  }

  clear(): void {
    for (const slot of this.slots.values()) clearMessage(slot);
    this.summary.replaceChildren();
    this.summary.hidden = true;
  }

  /** Puts each problem under its field; all of them go into the summary, which takes focus. */
  show(problems: readonly FieldProblem[], headline: string): void {
    this.clear();
    const items: HTMLElement[] = [];
    for (const problem of problems) {
      const pointer = fieldForPointer(problem.pointer, [...this.slots.keys()]);
      const slot = pointer === null ? undefined : this.slots.get(pointer);
      const text = problem.hint ? `${problem.message} — ${problem.hint}` : problem.message;
      if (slot) {
        slot.message.append(h('span', { class: 'field-error-line' }, text));
        slot.message.hidden = false;
        slot.wrapper.classList.add('has-error');
        slot.control.setAttribute('aria-invalid', 'true');
        const link = h('a', { href: `#${slot.control.id}` }, `${slot.label}: ${text}`);
        link.addEventListener('click', (event) => {
          event.preventDefault();
          slot.control.focus();
        });
        items.push(h('li', null, link));
      } else {
        items.push(h('li', null, `${pointerLabel(problem.pointer)}: ${text}`));
      }
    }
    this.summary.append(h('h2', null, headline));
    if (items.length > 0) this.summary.append(h('ul', null, items));
    this.summary.hidden = false;
    this.summary.setAttribute('role', 'alert');
    this.summary.focus();
  }
}

export interface FieldOptions {
  label: string;
  control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;
  help?: Child;
  pointer?: string;
  errors?: FieldErrors;
  className?: string;
}

/** A label, the control, optional help and an error slot, wired with for/id and aria-describedby. */
export function field(options: FieldOptions): HTMLElement {
  const { control } = options;
  if (!control.id) control.id = uid('field');
  const messageId = `${control.id}-error`;
  const helpId = `${control.id}-help`;
  const message = h('p', { class: 'field-error', id: messageId, hidden: true });
  const help = options.help ? h('p', { class: 'help', id: helpId }, options.help) : null;
  control.setAttribute('aria-describedby', [help ? helpId : null, messageId].filter(Boolean).join(' '));
  const isCheck = control instanceof HTMLInputElement && (control.type === 'checkbox' || control.type === 'radio');
  const label = h('label', { for: control.id }, options.label);
  const wrapper = h('div', { class: `field${isCheck ? ' field-check' : ''}${options.className ? ` ${options.className}` : ''}` }, isCheck ? [control, label] : [label, control], help, message);
  if (options.pointer !== undefined && options.errors) options.errors.register(options.pointer, { wrapper, control, message, label: options.label });
  return wrapper;
}

/** A fieldset (checkbox or radio group) with its legend and an error slot. */
export function fieldGroup(options: { legend: string; children: Child; help?: Child; pointer?: string; errors?: FieldErrors; className?: string }): HTMLElement {
  const id = uid('group');
  const message = h('p', { class: 'field-error', id: `${id}-error`, hidden: true });
  const help = options.help ? h('p', { class: 'help', id: `${id}-help` }, options.help) : null;
  const fieldset = h('fieldset', { id, class: `field-group${options.className ? ` ${options.className}` : ''}`, tabindex: '-1', 'aria-describedby': [help ? `${id}-help` : null, `${id}-error`].filter(Boolean).join(' ') }, h('legend', null, options.legend), help, options.children, message);
  if (options.pointer !== undefined && options.errors) options.errors.register(options.pointer, { wrapper: fieldset, control: fieldset, message, label: options.legend });
  return fieldset;
}

export function textInput(attrs: Record<string, string | boolean | null | undefined> = {}): HTMLInputElement {
  return h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false', ...attrs });
}

export function select(options: ReadonlyArray<readonly [value: string, label: string]>, value: string): HTMLSelectElement {
  const element = h('select', null, options.map(([v, label]) => h('option', { value: v }, label)));
  element.value = value;
  return element;
}
