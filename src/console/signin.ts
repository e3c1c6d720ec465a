/** Sign-in with an API token (`tocsin token create --role … --name …`). */
import { describeProblem } from './lib/api.js';
import { h } from './lib/dom.js';
import { notice } from './components/notice.js';

export interface SignInOptions {
  message?: string | undefined;
  signIn: (token: string) => Promise<void>;
}

export function signInPage(options: SignInOptions): HTMLElement {
  const input = h('input', { id: 'token', name: 'token', type: 'password', autocomplete: 'off', required: true, spellcheck: 'false', 'aria-describedby': 'token-help' });
  const status = h('div', { 'aria-live': 'polite' }, options.message ? notice('info', options.message) : null);
  const submit = h('button', { type: 'submit', class: 'button primary' }, 'Sign in');
  const form = h(
    'form',
    { class: 'signin', novalidate: true },
    h('h1', null, 'tocsin console'),
    h('p', null, 'Sign in with an API token. The token stays in this browser tab only and is sent to tocsin in the Authorization header.'),
    h('div', { class: 'field' }, h('label', { for: 'token' }, 'API token'), input, h('p', { class: 'help', id: 'token-help' }, 'Create one with ', h('code', null, 'tocsin token create --role operator --name you'), '.')),
    status,
    submit,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const token = input.value.trim();
    if (token === '') {
      status.replaceChildren(notice('error', 'Enter an API token.'));
      input.focus();
      return;
    }
    submit.disabled = true;
    options.signIn(token).catch((error: unknown) => {
      submit.disabled = false;
      status.replaceChildren(notice('error', `Sign-in failed: ${describeProblem(error)}`));
      input.focus();
    });
  });
  queueMicrotask(() => input.focus());
  return h('div', { class: 'signin-page' }, form);
}
