/**
 * Form bodies (`content_type: form`, as the Axibase seed offers): the rendered JSON flattened to
 * dotted names and sent as application/x-www-form-urlencoded; and the canonical string Axibase
 * signs for such bodies (x-axi-signature): parameters sorted by name, names and values URL-encoded,
 * joined name=value with '&'.
 *
 * Encoding is the WHATWG urlencoded serializer, which is also what Java's URLEncoder (Axibase)
 * produces: letters, digits and `*-._` as they are, space as '+', everything else %XX of UTF-8.
 */

export type FormPair = [name: string, value: string];

function scalarText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return '';
}

/**
 * `{"entity": {"name": "db-1", "tags": {"env": "prod"}}, "value": 3}` →
 * `entity.name=db-1`, `entity.tags.env=prod`, `value=3`. Lists use indexes (`alerts.0.status`),
 * null is empty text, empty objects and lists give no parameter, and a body that is not an object
 * or list becomes one parameter named `value`.
 */
export function flattenForm(value: unknown): FormPair[] {
  const pairs: FormPair[] = [];
  const walk = (current: unknown, prefix: string) => {
    if (Array.isArray(current)) {
      current.forEach((item, index) => walk(item, prefix === '' ? String(index) : `${prefix}.${index}`));
    } else if (current !== null && typeof current === 'object') {
      for (const key of Object.keys(current)) walk((current as Record<string, unknown>)[key], prefix === '' ? key : `${prefix}.${key}`);
    } else {
      pairs.push([prefix === '' ? 'value' : prefix, scalarText(current)]);
    }
  };
  walk(value, '');
  return pairs;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const NOT_FORM_SAFE = /[!'()~]/g;

/** One name or value, urlencoded (lone surrogates become U+FFFD, as URLSearchParams does). */
export function formEncode(text: string): string {
  return encodeURIComponent(text.replace(LONE_SURROGATE, '\uFFFD'))
    .replace(NOT_FORM_SAFE, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

/** The body: pairs in order, `name=value` joined with '&'. */
export function encodeForm(pairs: readonly FormPair[]): string {
  return pairs.map(([name, value]) => `${formEncode(name)}=${formEncode(value)}`).join('&');
}

/** The pairs of a form body (for signing a body that was already rendered). */
export function parseForm(body: string): FormPair[] {
  return [...new URLSearchParams(body)];
}

/**
 * What Axibase signs for a form body: parameters sorted by name (by UTF-16 code units, as Java
 * compares strings; equal names keep their order), each name and value URL-encoded, `name=value`
 * joined with '&'.
 */
export function axibaseSigningString(pairs: readonly FormPair[]): string {
  const sorted = pairs.map((pair, index) => ({ pair, index })).sort((a, b) => (a.pair[0] < b.pair[0] ? -1 : a.pair[0] > b.pair[0] ? 1 : a.index - b.index));
  return encodeForm(sorted.map(({ pair }) => pair));
}

/** The Axibase signing string of a rendered form body. */
export function formSigningString(body: string): string {
  return axibaseSigningString(parseForm(body));
}
