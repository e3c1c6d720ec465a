/**
 * `#variable` completion for the template editor: find the token being typed at the caret, rank the
 * event type's variables against it, and splice the chosen name in. Pure, so it is tested without
 * a browser; the editor only draws the list.
 */
export interface Variable {
  /** Without the leading '#': `entity.tags`, `value`. */
  name: string;
  type: string;
  description: string;
  example?: unknown;
}

export interface TokenAtCaret {
  /** Offset of the '#'. */
  start: number;
  /** Offset just after the typed name (the caret). */
  end: number;
  /** What was typed after '#'. */
  prefix: string;
}

const NAME_CHAR = /[A-Za-z0-9_.-]/;

/** Variables from `GET /api/v1/templates/variables` (names with or without '#'), deduplicated and sorted. */
export function variablesFrom(response: unknown): Variable[] {
  const list = (response as { variables?: unknown } | null)?.variables;
  if (!Array.isArray(list)) return [];
  const seen = new Map<string, Variable>();
  for (const entry of list) {
    if (entry === null || typeof entry !== 'object') continue;
    const e = entry as Record<string, unknown>;
    if (typeof e.name !== 'string') continue;
    const name = e.name.replace(/^#/, '');
    if (name === '' || seen.has(name)) continue;
    seen.set(name, { name, type: typeof e.type === 'string' ? e.type : '', description: typeof e.description === 'string' ? e.description : '', ...('example' in e ? { example: e.example } : {}) });
  }
  return [...seen.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * The `#name` being typed at `caret`, or null: not after `##` (a literal '#'), and not inside
 * `{{ … }}` where names are written without '#'.
 */
export function tokenAtCaret(text: string, caret: number): TokenAtCaret | null {
  let start = caret;
  while (start > 0 && NAME_CHAR.test(text[start - 1] ?? '')) start -= 1;
  if (text[start - 1] !== '#') return null;
  let hashes = 0;
  for (let i = start - 1; i >= 0 && text[i] === '#'; i -= 1) hashes += 1;
  if (hashes % 2 === 0) return null;
  const before = text.slice(0, start - 1);
  if (before.lastIndexOf('{{') > before.lastIndexOf('}}')) return null;
  const prefix = text.slice(start, caret);
  if (prefix !== '' && !/^[A-Za-z_]/.test(prefix)) return null;
  return { start: start - 1, end: caret, prefix };
}

/** Variables matching what was typed: names starting with it first, then names containing it. */
export function suggestions(prefix: string, variables: readonly Variable[], limit = 12): Variable[] {
  const needle = prefix.toLowerCase();
  const starts = variables.filter((v) => v.name.toLowerCase().startsWith(needle));
  const contains = needle === '' ? [] : variables.filter((v) => !v.name.toLowerCase().startsWith(needle) && v.name.toLowerCase().includes(needle));
  const exact = starts.length === 1 && starts[0]?.name.toLowerCase() === needle;
  // Nothing to offer when the only match is exactly what is typed already.
  return exact && contains.length === 0 ? [] : [...starts, ...contains].slice(0, limit);
}

/** The text with the token replaced by `#name`, and the caret after it. */
export function applyCompletion(text: string, token: TokenAtCaret, name: string): { text: string; caret: number } {
  let end = token.end;
  // Replace the rest of a name the caret sits inside too (`#rule_n|am` → `#rule_name`).
  while (end < text.length && NAME_CHAR.test(text[end] ?? '')) end += 1;
  const inserted = `#${name}`;
  return { text: text.slice(0, token.start) + inserted + text.slice(end), caret: token.start + inserted.length };
}
