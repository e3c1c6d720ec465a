/**
 * A write-only secret: where it comes from (typed value, environment variable of the tocsin
 * process, or a file) and the input. A stored secret is never shown; the field says one is stored
 * and an empty input keeps it.
 */
import { h, uid } from '../lib/dom.js';
import { field, select, type FieldErrors } from '../components/fields.js';
import { MASK, SECRET_SOURCES, type SecretField, type SecretSource } from './model.js';

const SOURCE_LABELS: Record<SecretSource, string> = { value: 'Value', env: 'Environment variable', file: 'File on the server' };

export function secretField(options: { label: string; secret: SecretField; pointer: string; errors: FieldErrors }): HTMLElement {
  const { secret } = options;
  const input = h('input', { type: 'password', autocomplete: 'new-password', spellcheck: 'false', 'data-secret': 'true' });
  const source = select(SECRET_SOURCES.map((s) => [s, SOURCE_LABELS[s]] as const), secret.source);
  source.id = uid('secret-source');
  const storedNote = () => (secret.stored ? `A secret is stored (${MASK}). Leave empty to keep it; type to replace it.` : null);
  const help = h('span', null, storedNote());
  const placeholder = () => {
    if (secret.source === 'env') return 'NAME_OF_VARIABLE';
    if (secret.source === 'file') return 'secrets/receiver.key';
    return secret.stored ? `${MASK} (stored)` : '';
  };
  const sync = () => {
    input.type = secret.source === 'value' ? 'password' : 'text';
    input.placeholder = placeholder();
  };
  input.value = secret.text;
  sync();
  input.addEventListener('input', () => {
    secret.text = input.value;
  });
  source.addEventListener('change', () => {
    secret.source = source.value as SecretSource;
    sync();
  });
  return h(
    'div',
    { class: 'secret' },
    field({ label: options.label, control: input, pointer: options.pointer, errors: options.errors, help }),
    field({ label: `${options.label}: source`, control: source, className: 'secret-source' }),
  );
}
