/**
 * Replay workloads: NDJSON sample files written to disk as a pipeline's export would be, from a
 * seeded generator, so every run replays the same bytes.
 *
 * `writeFleetFile`: `hosts` series of cpu.usage, one sample every 10 s for `intervals` intervals,
 * ISO 8601 times with milliseconds (as `new Date().toISOString()` and most exporters print them);
 * values mostly low with rare hot episodes, and now and then a host that stops reporting for a
 * while, so a `for` rule opens and cancels and a `no_data` rule fires. `order: 'time'` writes
 * interval by interval (what replay reads best); `order: 'series'` writes host by host (what an
 * export per measurement or per series looks like).
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { seededRandom } from '../lib/random.js';

export const INTERVAL_MS = 10_000;
export const START_MS = Date.UTC(2026, 0, 5);

/** A threshold with `for`: the engine's share of replay is small. */
export const THRESHOLD_RULES = `rules:
  - name: cpu-high
    metric: cpu.usage
    window: length(1)
    condition: value > 80
    for: 1m
    severity: warning
`;

/** The same, plus a `no_data` watch: a timer per series, re-armed by every sample. */
export const FLEET_RULES = `${THRESHOLD_RULES}  - name: cpu-silent
    metric: cpu.usage
    window: length(1)
    condition: value > 200
    no_data: 5m
    severity: warning
`;

/** The samples of one host, in time order: [time, value] pairs, gaps left out. */
function hostSamples(random, intervals) {
  const out = [];
  let hot = 0;
  let silent = 0;
  for (let i = 0; i < intervals; i++) {
    if (silent > 0) {
      silent--;
      continue;
    }
    if (random.next() < 1 / 3_000) {
      silent = 40 + random.int(40); // 7–13 minutes without data: more than no_data
      continue;
    }
    if (hot === 0 && random.next() < 1 / 500) hot = 3 + random.int(20);
    const value = hot > 0 ? 81 + random.int(19) : random.int(70);
    if (hot > 0) hot--;
    out.push(START_MS + i * INTERVAL_MS, value);
  }
  return out;
}

const line = (host, time, value) =>
  `{"metric":"cpu.usage","entity":"${host}","tags":{"env":"prod"},"time":"${new Date(time).toISOString()}","value":${value}}\n`;

/** Writes the file; returns the number of samples. */
export function writeFleetFile(path, { hosts, intervals, order, seed = 20261207 }) {
  const random = seededRandom(seed);
  const names = Array.from({ length: hosts }, (_, h) => `host-${String(h).padStart(5, '0')}`);
  const perHost = names.map(() => hostSamples(random, intervals));
  const fd = openSync(path, 'w');
  let samples = 0;
  let buffer = '';
  const put = (text) => {
    buffer += text;
    samples++;
    if (buffer.length > 1 << 20) {
      writeSync(fd, buffer);
      buffer = '';
    }
  };
  try {
    if (order === 'series') {
      perHost.forEach((pairs, h) => {
        for (let k = 0; k < pairs.length; k += 2) put(line(names[h], pairs[k], pairs[k + 1]));
      });
    } else {
      const cursors = new Array(hosts).fill(0);
      for (let i = 0; i < intervals; i++) {
        const time = START_MS + i * INTERVAL_MS;
        for (let h = 0; h < hosts; h++) {
          const pairs = perHost[h];
          const k = cursors[h];
          if (k < pairs.length && pairs[k] === time) {
            put(line(names[h], time, pairs[k + 1]));
            cursors[h] = k + 2;
          }
        }
      }
    }
    writeSync(fd, buffer);
  } finally {
    closeSync(fd);
  }
  return samples;
}
