/**
 * The demo's simulated clock: it starts at a given time and runs `speed` times faster than the
 * real one, so a rule's `for: 2m` passes in two seconds at 60×. The server, the engine timers and
 * the sample timestamps all read this one clock, so what the rules see stays consistent.
 */
export interface SimulatedClock {
  /** Simulated epoch ms at the start. */
  readonly start: number;
  /** Simulated milliseconds per real millisecond. */
  readonly speed: number;
  /** The simulated time now. */
  now(): number;
  /** Real milliseconds until the simulated time `at` (0 when it has passed). */
  realDelayUntil(at: number): number;
}

export function simulatedClock(start: number, speed: number, realNow: () => number = () => performance.now()): SimulatedClock {
  const realStart = realNow();
  return {
    start,
    speed,
    now: () => start + (realNow() - realStart) * speed,
    realDelayUntil: (at) => Math.max(0, (at - start) / speed - (realNow() - realStart)),
  };
}
