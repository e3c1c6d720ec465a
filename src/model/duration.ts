/**
 * Durations as people write them in rules: `5m`, `1h30m`, `250ms`, `5 minute`, `10 minutes`, `1 hour`.
 * The spelled-out form is the one Axibase users know (`avg('5 minute')`); the compact form is the one
 * Prometheus users know (`for: 5m`). Both parse to milliseconds.
 */

const UNIT_MS: Record<string, number> = {
  ms: 1, millisecond: 1, milliseconds: 1, msec: 1,
  s: 1000, sec: 1000, secs: 1000, second: 1000, seconds: 1000,
  m: 60_000, min: 60_000, mins: 60_000, minute: 60_000, minutes: 60_000,
  h: 3_600_000, hr: 3_600_000, hrs: 3_600_000, hour: 3_600_000, hours: 3_600_000,
  d: 86_400_000, day: 86_400_000, days: 86_400_000,
  w: 604_800_000, week: 604_800_000, weeks: 604_800_000,
};

export const DURATION_UNITS: readonly string[] = Object.keys(UNIT_MS);

const PART = /(\d+(?:\.\d+)?)\s*([a-z]+)/gy;

/** Milliseconds, or null when the text is not a duration. A bare number is not a duration (unit required). */
export function parseDuration(text: string): number | null {
  const input = text.trim().toLowerCase();
  if (input === '') return null;
  let total = 0;
  let index = 0;
  PART.lastIndex = 0;
  while (index < input.length) {
    PART.lastIndex = index;
    const match = PART.exec(input);
    if (!match) return null;
    const unit = UNIT_MS[match[2]!];
    if (unit === undefined) return null;
    total += Number(match[1]) * unit;
    index = PART.lastIndex;
    while (input[index] === ' ') index++;
  }
  return Math.round(total);
}

/** `3900000` → `1h 5m`; used in messages and the `duration` template helper. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '';
  const negative = ms < 0;
  let rest = Math.round(Math.abs(ms) / 1000);
  const parts: string[] = [];
  for (const [unit, size] of [['d', 86_400], ['h', 3_600], ['m', 60], ['s', 1]] as const) {
    const count = Math.floor(rest / size);
    if (count > 0) parts.push(`${count}${unit}`);
    rest -= count * size;
  }
  const text = parts.length === 0 ? '0s' : parts.join(' ');
  return negative ? `-${text}` : text;
}
