/**
 * The soak replay's inputs (issue 12 item 3): the same number of samples over the same 25 hours,
 * once from containers that come and go (every 10 minutes a generation of new container ids, each
 * reporting once, as short-lived jobs do) and once from a steady fleet (the same number of series
 * reporting every 10 minutes for the whole span). Values are seeded; about one in five is above 80,
 * so the rule `value > 80` opens alerts in every generation.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { seededRandom } from '../lib/random.js';

export const START_MS = Date.UTC(2026, 0, 5);
export const GENERATION_MS = 10 * 60_000;

const pad = (n, width) => String(n).padStart(width, '0');

/**
 * Writes the file in time order; returns { samples, generations, lastGenerationPrefix, lastGenerationHot }.
 * `kind`: 'churn' (entity c<generation>-<i>) or 'steady' (entity s-<i>).
 */
export function writeSoakFile(path, { kind, perGeneration, generations, seed = 20261207 }) {
  const random = seededRandom(seed);
  const fd = openSync(path, 'w');
  let buffer = '';
  let samples = 0;
  let lastGenerationHot = 0;
  try {
    for (let g = 0; g < generations; g++) {
      const base = START_MS + g * GENERATION_MS;
      for (let i = 0; i < perGeneration; i++) {
        const entity = kind === 'churn' ? `c${pad(g, 4)}-${pad(i, 6)}` : `s-${pad(i, 6)}`;
        const value = random.int(100);
        if (g === generations - 1 && value > 80) lastGenerationHot++;
        const time = new Date(base + Math.floor((i * GENERATION_MS) / perGeneration)).toISOString();
        buffer += `{"metric":"container.cpu","entity":"${entity}","time":"${time}","value":${value}}\n`;
        samples++;
        if (buffer.length > 1 << 20) {
          writeSync(fd, buffer);
          buffer = '';
        }
      }
    }
    writeSync(fd, buffer);
  } finally {
    closeSync(fd);
  }
  return { samples, generations, lastGenerationPrefix: kind === 'churn' ? `c${pad(generations - 1, 4)}-` : null, lastGenerationHot };
}
