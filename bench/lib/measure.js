/**
 * Timing with process.hrtime.bigint: calibrate the batch size, warm up, time several rounds and
 * keep the median (robust to a GC pause or a noisy neighbour in one round).
 *
 * A batch is a function `(reps) => number | Promise<number>` that does `reps × opsPerRep`
 * operations and returns a count derived from the results (how many evaluations were true).
 * The count is checked against `expectedCount(reps)` after every round: the results are
 * consumed, so the optimiser cannot drop the work, and a wrong result fails the bench loudly.
 */

const nanosSince = (start) => Number(process.hrtime.bigint() - start);

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

async function timeBatch(batch, reps) {
  const start = process.hrtime.bigint();
  let count = batch(reps);
  // Only async engines (jsonata 2) return a promise; awaiting it is part of their cost.
  if (count instanceof Promise) count = await count;
  return { nanos: nanosSince(start), count };
}

export const DEFAULT_TIMING = { warmupMs: 250, rounds: 9, roundMs: 100 };

/**
 * Operations per second of several batches that will be compared with each other:
 * `[{ median, min, max, samples, reps }]` in the order given.
 * Each batch is calibrated and warmed up on its own; then the timed rounds go round-robin over
 * the batches, so a load change on a shared machine hits every engine alike and ratios between
 * them stay meaningful even when absolute rates drift.
 * @param {{ batch: (reps: number) => number | Promise<number>, label: string,
 *           opsPerRep: number, expectedCount: (reps: number) => number }[]} subjects
 * @param {{ warmupMs?: number, rounds?: number, roundMs?: number }} options
 */
export async function measureRates(subjects, options = {}) {
  const { warmupMs, rounds, roundMs } = { ...DEFAULT_TIMING, ...options };
  const prepared = [];
  for (const subject of subjects) {
    const verify = (count, reps) => {
      const expected = subject.expectedCount(reps);
      if (count !== expected) throw new Error(`${subject.label}: ${count} true results, expected ${expected} (a wrong result)`);
    };
    // Calibrate: grow the batch until one call takes a measurable time, then size it to roundMs.
    let reps = 1;
    let probe = await timeBatch(subject.batch, reps);
    verify(probe.count, reps);
    while (probe.nanos < (roundMs * 1e6) / 8 && reps < 2 ** 30) {
      reps *= 2;
      probe = await timeBatch(subject.batch, reps);
      verify(probe.count, reps);
    }
    reps = Math.max(1, Math.round((reps * roundMs * 1e6) / Math.max(probe.nanos, 1)));
    // Warm up at the final batch size so the timed rounds run optimised code.
    const warmupStart = process.hrtime.bigint();
    do {
      verify((await timeBatch(subject.batch, reps)).count, reps);
    } while (nanosSince(warmupStart) < warmupMs * 1e6);
    prepared.push({ subject, verify, reps, samples: [] });
  }
  for (let round = 0; round < rounds; round++) {
    for (const entry of prepared) {
      const { nanos, count } = await timeBatch(entry.subject.batch, entry.reps);
      entry.verify(count, entry.reps);
      entry.samples.push((entry.reps * entry.subject.opsPerRep * 1e9) / nanos);
    }
  }
  return prepared.map(({ samples, reps }) => ({
    median: median(samples), min: Math.min(...samples), max: Math.max(...samples), samples, reps,
  }));
}

/** One batch alone: `measureRates` with a single subject. */
export async function measureRate(batch, options) {
  const [rate] = await measureRates([{ batch, ...options }], options);
  return rate;
}

/**
 * Operations per second of one-shot work, where repeating an input would be unfair (V8 caches the
 * compilation of a `new Function` text it has seen): every call gets a fresh input.
 * Each subject is `{ work, inputs, label }`: `inputs(count)` returns fresh, never-seen inputs on
 * every call (preparing them is not timed); `work(input)` returns something (or a promise of it)
 * that is kept until the round ends. Rounds go round-robin over the subjects, as in measureRates.
 */
export async function measureOneShots(subjects, options = {}) {
  const { warmup = 2000, rounds = 5, perRound = 4000 } = options;
  const run = async ({ work, label }, batch) => {
    const kept = new Array(batch.length);
    const start = process.hrtime.bigint();
    for (let i = 0; i < batch.length; i++) {
      let result = work(batch[i]);
      if (result instanceof Promise) result = await result;
      kept[i] = result;
    }
    const nanos = nanosSince(start);
    if (kept.some((result) => result === undefined)) throw new Error(`${label}: a call returned nothing`);
    return nanos;
  };
  for (const subject of subjects) await run(subject, subject.inputs(warmup));
  const samples = subjects.map(() => []);
  for (let round = 0; round < rounds; round++) {
    for (const [i, subject] of subjects.entries()) {
      const batch = subject.inputs(perRound);
      samples[i].push((batch.length * 1e9) / (await run(subject, batch)));
    }
  }
  return samples.map((list) => ({
    median: median(list), min: Math.min(...list), max: Math.max(...list), samples: list, count: warmup + rounds * perRound,
  }));
}
