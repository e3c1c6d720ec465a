/**
 * Characters and escapes of line protocol, after the InfluxDB reference decoder
 * (influxdata/line-protocol): `\,` `\ ` in measurements; `\,` `\=` `\ ` in tag keys, tag values
 * and field keys; `\"` `\\` in string field values, plus `\n` `\t` `\r` `\f`, which Telegraf's
 * serializer writes for those characters. A backslash before anything else is a literal backslash
 * (line protocol has no way to end an element with a backslash; Telegraf drops such names).
 *
 * One deliberate leniency: an unescaped `=` inside a tag value is taken literally (`q=a=b` is the
 * tag q with value `a=b`), as InfluxDB 1.x did; it cannot be mistaken for anything else.
 */
import { BACKSLASH, COMMA, DEL, EQUALS, SPACE } from './char-codes.js';

/**
 * Lookup tables over ASCII, non-zero for the characters that end an element or need a closer look
 * (backslash, control characters), so the scanner does one load per ordinary character. A
 * measurement ends at a comma or space; a tag key or field key also at `=`; a tag value like a
 * measurement.
 */
export const NAME_SPECIAL = specialTable([COMMA, SPACE, BACKSLASH]);
export const KEY_SPECIAL = specialTable([COMMA, SPACE, EQUALS, BACKSLASH]);
export const TAG_VALUE_SPECIAL = NAME_SPECIAL;

function specialTable(codes: number[]): Uint8Array {
  const table = new Uint8Array(128);
  for (let code = 0; code < 32; code++) table[code] = 1;
  table[DEL] = 1;
  for (const code of codes) table[code] = 1;
  return table;
}

/** Which characters a backslash escapes in each element; anything else keeps its backslash. */
export const escapesInName = (code: number): boolean => code === COMMA || code === SPACE;
export const escapesInKey = (code: number): boolean => code === COMMA || code === SPACE || code === EQUALS;

const STRING_ESCAPES = new Map<string, string>([['"', '"'], ['\\', '\\'], ['n', '\n'], ['t', '\t'], ['r', '\r'], ['f', '\f']]);

/** Removes the backslash of each escape in a measurement, tag key, tag value or field key. */
export function unescape(raw: string, escapable: (code: number) => boolean): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < raw.length - 1; i++) {
    if (raw.charCodeAt(i) === BACKSLASH && escapable(raw.charCodeAt(i + 1))) {
      out += raw.slice(from, i);
      from = i + 1;
      i++;
    }
  }
  return out + raw.slice(from);
}

/** Decodes the escapes of a string field value (without its quotes). */
export function unescapeString(raw: string): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < raw.length - 1; i++) {
    if (raw.charCodeAt(i) !== BACKSLASH) continue;
    const replacement = STRING_ESCAPES.get(raw.charAt(i + 1));
    if (replacement === undefined) continue;
    out += raw.slice(from, i) + replacement;
    from = i + 2;
    i++;
  }
  return out + raw.slice(from);
}
