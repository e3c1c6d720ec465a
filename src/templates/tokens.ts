/**
 * `#variable` tokens in text (SPEC §5, as in the Portal seed): `#` + a name such as `value`,
 * `entity.label` or `entity.tags.env`. `##` is a literal `#`; a `#` not followed by a letter or
 * `_` is literal too (`issue #42`). Tokens are only looked for outside `{{ }}` (the caller passes
 * the text ranges Handlebars treats as plain content).
 *
 * Names are resolved against the variables of an event type: the longest known name wins, at a
 * dot boundary. `#entity.tags.env` is the key `env` of the map `#entity.tags`; `#entity.label` is
 * the variable `entity.label`, not `#entity` followed by ".label".
 */
import type { Variable, VariableTable } from './variables.js';

export type Piece = { kind: 'text'; text: string } | TokenPiece;

export interface TokenPiece {
  kind: 'token';
  /** The name after '#', e.g. `entity.tags.env`. */
  name: string;
  /** Offsets of '#' and just after the name, in the scanned text. */
  start: number;
  end: number;
}

const NAME = /[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_-]+)*/y;

/** Splits `text[from, to)` into literal text (with `##` already made `#`) and tokens. */
export function scanTokens(text: string, from = 0, to = text.length): Piece[] {
  const pieces: Piece[] = [];
  let literal = '';
  let index = from;
  let runStart = from;
  while (index < to) {
    const hash = text.indexOf('#', index);
    if (hash === -1 || hash >= to) break;
    if (text[hash + 1] === '#' && hash + 1 < to) {
      literal += text.slice(runStart, hash + 1);
      index = runStart = hash + 2;
      continue;
    }
    NAME.lastIndex = hash + 1;
    const match = NAME.exec(text);
    if (match === null || hash + 1 + match[0].length > to) {
      index = hash + 1;
      continue;
    }
    literal += text.slice(runStart, hash);
    if (literal !== '') pieces.push({ kind: 'text', text: literal });
    literal = '';
    const end = hash + 1 + match[0].length;
    pieces.push({ kind: 'token', name: match[0], start: hash, end });
    index = runStart = end;
  }
  literal += text.slice(runStart, to);
  if (literal !== '') pieces.push({ kind: 'text', text: literal });
  return pieces;
}

export interface ResolvedToken {
  variable: Variable;
  /** For a map variable read with a key (`#tags.port`): the key. */
  key: string | null;
}

/** The variable a token names for one event type, or null when it names none. */
export function resolveToken(name: string, table: VariableTable): ResolvedToken | null {
  const exact = table.get(name);
  if (exact !== undefined) return { variable: exact, key: null };
  // The longest map variable that is a prefix at a dot boundary takes the rest as its key.
  let dot = name.lastIndexOf('.');
  while (dot > 0) {
    const candidate = table.get(name.slice(0, dot));
    if (candidate !== undefined && candidate.isMap) return { variable: candidate, key: name.slice(dot + 1) };
    dot = name.lastIndexOf('.', dot - 1);
  }
  return null;
}
