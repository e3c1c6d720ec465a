/** Display formats shared by the pages. Pure: times are passed in, zones are explicit in tests. */

/** API times come as epoch ms or ISO 8601 text; null when absent or unreadable. */
export function toEpoch(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value !== '') {
    const parsed = Date.parse(value);
    return Number.isNaN(parsed) ? null : parsed;
  }
  return null;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** `2026-03-14 09:26:53` in the given zone offset (minutes east of UTC; the browser's by default). */
export function formatTime(value: unknown, offsetMinutes?: number): string {
  const epoch = toEpoch(value);
  if (epoch === null) return '—';
  const offset = offsetMinutes ?? -new Date(epoch).getTimezoneOffset();
  const d = new Date(epoch + offset * 60_000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** `HH:mm` for chart axes. */
export function formatClock(epoch: number, offsetMinutes?: number): string {
  const offset = offsetMinutes ?? -new Date(epoch).getTimezoneOffset();
  const d = new Date(epoch + offset * 60_000);
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

/** Seconds as `1d 2h`, `1h 5m`, `3m 20s`, `42s`: the largest unit and the next one when not zero. */
export function formatDuration(seconds: unknown): string {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) return '—';
  const units: Array<[string, number]> = [['d', 86_400], ['h', 3600], ['m', 60], ['s', 1]];
  const whole = Math.floor(seconds);
  const first = units.findIndex(([, size]) => whole >= size);
  if (first === -1) return '0s';
  const [unit, size] = units[first] as [string, number];
  const parts = [`${Math.floor(whole / size)}${unit}`];
  const next = units[first + 1];
  if (next) {
    const count = Math.floor((whole % size) / next[1]);
    if (count > 0) parts.push(`${count}${next[0]}`);
  }
  return parts.join(' ');
}

export function formatLatency(ms: unknown): string {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) return '—';
  return ms < 10 ? `${ms.toFixed(1)} ms` : `${Math.round(ms)} ms`;
}

/** Numbers as the API sent them, without float noise: 12.300000001 → 12.3. */
export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)));
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Duration of an alert from its open time to `now`, when the API gives no duration. */
export function secondsSince(openTime: unknown, now: number): number | null {
  const epoch = toEpoch(openTime);
  return epoch === null ? null : Math.max(0, Math.round((now - epoch) / 1000));
}
