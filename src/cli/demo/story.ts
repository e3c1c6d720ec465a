/**
 * The demo's storyline: three entities and one simulated hour of samples that make the example
 * rules (rules/*.yaml) open, cancel and flap. Pure data and functions of it; the demo command sends
 * what `feedRequests` returns through the real HTTP API, one batch every 30 simulated seconds.
 *
 * The times (in minutes) are chosen against the example rules:
 * - container-down (`for: 1m`, flapping window 10, high 0.5): web-1 down from 2 opens at 3 and
 *   cancels at 5; down again from 32, cancelled at 38, then crash-looping (1 0 1 0 at 38.5–40), so
 *   the fifth change of state within ten evaluations falls on a pending alert at 40 and raises
 *   alert.flapping. Half-minute steps keep every crash-loop pending shorter than `for: 1m`.
 * - disk-almost-full (> 90 opens at once, critical; cancel_when < 85): 93 % at 8, 80 % at 12.
 * - cpu-high (5-minute average > 80 for 2m, cancel_when < 70, keep_firing_for 5m): 95 % from 15
 *   pends at 18.5 and opens at 20.5; 30 % from 24 clears at 25.5 and cancels five minutes later.
 */
export const STORY_MINUTES = 60;

/** Simulated time between two batches of samples. */
export const STEP_MS = 30_000;

/** What the feed reports at a given time. */
export interface Levels {
  /** docker.container.down of web-1: 0 running, 1 not. */
  containerDown: 0 | 1;
  /** cpu.usage_active of app-1 (cpu-total). */
  cpuPercent: number;
  /** disk.used_percent of /data on db-1. */
  diskPercent: number;
}

export interface Beat {
  /** Simulated minutes from the start; a multiple of a half minute (STEP_MS). */
  minute: number;
  /** What happens, printed as "sending: …"; beats without it change levels silently. */
  says?: string;
  set: Partial<Levels>;
}

const QUIET: Levels = { containerDown: 0, cpuPercent: 35, diskPercent: 71 };

export const BEATS: readonly Beat[] = [
  { minute: 0, says: 'all quiet: container web-1 runs, host app-1 at 35 % CPU, /data on db-1 71 % full', set: QUIET },
  { minute: 2, says: 'container web-1 stops (docker.container.down 1); container-down has for: 1m', set: { containerDown: 1 } },
  { minute: 5, says: 'container web-1 runs again (docker.container.down 0)', set: { containerDown: 0 } },
  { minute: 8, says: '/data on db-1 fills up to 93 % (disk-almost-full: value > 90, critical, pages too)', set: { diskPercent: 93 } },
  { minute: 12, says: 'someone cleans up /data on db-1: 80 % (cancel_when: value < 85)', set: { diskPercent: 80 } },
  { minute: 15, says: "host app-1 jumps to 95 % CPU (cpu-high: avg('5 minute') > 80 for 2m)", set: { cpuPercent: 95 } },
  { minute: 24, says: 'app-1 back to 30 % CPU (cancel_when: average < 70, then keep_firing_for: 5m)', set: { cpuPercent: 30 } },
  { minute: 32, says: 'container web-1 stops again', set: { containerDown: 1 } },
  { minute: 38, says: 'web-1 crash-loops: up, down, up, down, up (flapping: { window: 10, high: 0.5 })', set: { containerDown: 0 } },
  { minute: 38.5, set: { containerDown: 1 } },
  { minute: 39, set: { containerDown: 0 } },
  { minute: 39.5, set: { containerDown: 1 } },
  { minute: 40, set: { containerDown: 0 } },
  { minute: 45, says: 'web-1 stays up; nothing else happens in this simulated hour', set: {} },
];

/** The levels in force at `minute`: every beat up to it, applied in order. */
export function levelsAt(minute: number): Levels {
  let levels = QUIET;
  for (const beat of BEATS) if (beat.minute <= minute) levels = { ...levels, ...beat.set };
  return levels;
}

export function beatAt(minute: number): Beat | undefined {
  return BEATS.find((beat) => beat.minute === minute);
}

export interface ApiRequest {
  method: 'POST' | 'PUT';
  path: string;
  contentType: string;
  body: string;
}

/** The inventory, as a CMDB sync would register it: entity tags the rules' filters read. */
export const ENTITIES: ReadonlyArray<{ name: string; about: string; tags: Record<string, string> }> = [
  { name: 'web-1', about: 'container, prod', tags: { env: 'prod', status: 'running' } },
  { name: 'app-1', about: 'host, prod', tags: { env: 'prod', role: 'app' } },
  { name: 'db-1', about: 'database host, prod', tags: { env: 'prod', role: 'db' } },
];

export function entityRequests(): ApiRequest[] {
  return ENTITIES.map((entity) => ({
    method: 'PUT',
    path: `/api/v1/entities/${entity.name}`,
    contentType: 'application/json',
    body: JSON.stringify({ tags: entity.tags }),
  }));
}

/**
 * One step of samples at simulated time `time` (epoch ms): container and CPU as Telegraf sends
 * them (line protocol; metric = measurement.field, entity = the `entity` tag, else `host`), the
 * disk as a JSON sample.
 */
export function feedRequests(levels: Levels, time: number): ApiRequest[] {
  return [
    {
      method: 'POST',
      path: '/api/v1/write?precision=ms',
      contentType: 'text/plain; charset=utf-8',
      body: `docker.container,entity=web-1 down=${levels.containerDown}i ${time}\ncpu,host=app-1,cpu=cpu-total usage_active=${levels.cpuPercent} ${time}\n`,
    },
    {
      method: 'POST',
      path: '/api/v1/samples',
      contentType: 'application/json',
      body: JSON.stringify([{ metric: 'disk.used_percent', entity: 'db-1', tags: { path: '/data', fstype: 'ext4' }, time: new Date(time).toISOString(), value: levels.diskPercent }]),
    },
  ];
}
