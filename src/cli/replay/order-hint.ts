/**
 * The error replay prints for a sample it cannot put in time order, with a command that sorts the
 * file first. Exports write every line alike, so the time is the same '"'-separated field on every
 * line and `sort -t'"' -kN,N` orders ISO times of one zone and format as text; `-s` keeps lines with
 * the same time in file order, as replay's own sort does. Otherwise jq sorts by the parsed time.
 */
import type { OrderError } from './time-order.js';

const iso = (ms: number): string => new Date(ms).toISOString();

/** A shell command that writes `input` sorted by time, judged from one of its lines. */
export function sortCommand(input: string, sampleLine: string | null): string {
  const quoted = input.includes("'") ? JSON.stringify(input) : `'${input}'`;
  const plain = /^[\w./-]+$/.test(input) ? input : quoted;
  const sorted = `${plain.replace(/\.(nd)?jsonl?$/, '')}.sorted.ndjson`;
  const marker = '"time":"';
  const at = sampleLine?.indexOf(marker) ?? -1;
  if (sampleLine !== null && at !== -1 && sampleLine.indexOf(marker, at + 1) === -1) {
    let quotes = 0;
    for (let i = 0; i < at + marker.length; i++) if (sampleLine.charCodeAt(i) === 34) quotes++;
    return `LC_ALL=C sort -s -t'"' -k${quotes + 1},${quotes + 1} ${plain} > ${sorted}`;
  }
  return `jq -c -s 'sort_by(.time)[]' ${plain} > ${sorted}`;
}

export function formatOrderError(error: OrderError, input: string, limit: number, sampleLine: string | null): string {
  const earlier = `the time ${iso(error.time)} is earlier than ${iso(error.latestTime)} on line ${error.latestLine}`;
  const what = `${input}:${error.line}: ${earlier}`;
  const command = sortCommand(input, sampleLine);
  if (error.reason === 'no-sort') {
    const sortInMemory = 'replay without --no-sort to sort up to --sort-limit samples (default 5,000,000) in memory';
    return `error: ${what}; with --no-sort the samples must be in time order\n` +
      `  hint: ${sortInMemory}, or sort the file by time first: ${command}\n`;
  }
  const applied = error.applied > 0
    ? `; its first ${error.applied} samples were in time order and were replayed, the events are incomplete`
    : '';
  const tooMany = `the file has more than ${limit} samples (--sort-limit), too many to sort in memory`;
  return `error: ${what}, and ${tooMany}${applied}\n` +
    `  hint: sort the file by time first: ${command} (every line alike, times in one ISO format and zone), ` +
    'then replay the sorted file; or raise --sort-limit (about 200 bytes of memory per sample with a few tags)\n';
}
