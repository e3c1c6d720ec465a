/** How the demo prints: simulated time labels, and request bodies as a compact JSON outline. */

/** `mm:ss` of simulated time since the start (minutes go past 59: `60:00`). */
export function timeLabel(sinceStartMs: number): string {
  const seconds = Math.max(0, Math.round(sinceStartMs / 1000));
  return `${String(Math.floor(seconds / 60)).padStart(2, '0')}:${String(seconds % 60).padStart(2, '0')}`;
}

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** JSON on one line with a space after `:` and `,`. */
export function oneLineJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(oneLineJson).join(', ')}]`;
  if (isObject(value)) return `{${Object.entries(value).map(([key, inner]) => `${JSON.stringify(key)}: ${oneLineJson(inner)}`).join(', ')}}`;
  return JSON.stringify(value) ?? 'null';
}

const cut = (line: string, width: number) => (line.length > width ? `${line.slice(0, width - 1)}…` : line);

/**
 * A JSON value as an outline: the top level one entry per line, everything below it on that line,
 * cut at `width` characters. A webhook body then takes a few lines and still shows every field.
 */
export function outlineJson(value: unknown, width = 100): string[] {
  const flat = oneLineJson(value);
  if (flat.length <= width || !(Array.isArray(value) || isObject(value))) return [cut(flat, width)];
  const entries = Array.isArray(value) ? value.map((inner) => oneLineJson(inner)) : Object.entries(value).map(([key, inner]) => `${JSON.stringify(key)}: ${oneLineJson(inner)}`);
  const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
  return [open, ...entries.map((entry, index) => cut(`  ${entry}${index < entries.length - 1 ? ',' : ''}`, width)), close];
}

/** A request body for printing: JSON outlined, anything else as text; at most `maxLines` lines. */
export function bodyLines(body: string, maxLines: number, width = 100): string[] {
  let lines: string[];
  try {
    lines = outlineJson(JSON.parse(body) as unknown, width);
  } catch {
    lines = body.split('\n').map((line) => cut(line, width));
  }
  if (lines.length <= maxLines) return lines;
  return [...lines.slice(0, maxLines - 1), `… (${lines.length - maxLines + 1} more lines)`];
}
