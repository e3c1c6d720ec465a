/**
 * Issue 13: the notifications of one series reach a webhook in the order the engine emitted them,
 * across alert episodes — open(ep1) cancel(ep1) open(ep2) cancel(ep2) …, never the cancel of one
 * episode after the open of the next. Through the real server: Influx line protocol in, the rule
 * `value > 80` over `length(1)`, 200 entities each crossing 80 up and down about twelve times in
 * 40 batches one (data) second apart, a receiver on 127.0.0.1 that keeps what it accepted — once
 * answering every request, once answering 503 to a seeded 20 % of them.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { configDirectory, JsonReceiver, removeDirectory, seeded, startLive, waitUntil, type LiveServer } from './fixtures/live-server.js';

const ENTITIES = 200;
const BATCHES = 40;
/** Chance that an entity's value crosses 80 between two batches: ~24 crossings in 40 batches. */
const CROSSING = 0.6;

interface EventBody {
  id: string;
  type: string;
  data: { alert_id: string; entity: { name: string } };
}

/** Per entity, the values of the 40 batches: 90 (above 80) or 50, starting below. */
function feed(random: () => number): number[][] {
  return Array.from({ length: ENTITIES }, () => {
    let above = false;
    return Array.from({ length: BATCHES }, () => {
      if (random() < CROSSING) above = !above;
      return above ? 90 : 50;
    });
  });
}

/** What each entity must receive: one open per upward crossing, one cancel per downward one. */
function expectedTypes(values: number[]): string[] {
  const types: string[] = [];
  let open = false;
  for (const value of values) {
    if (value > 80 && !open) types.push('alert.open');
    if (value <= 80 && open) types.push('alert.cancel');
    open = value > 80;
  }
  return types;
}

const name = (entity: number) => `host-${String(entity).padStart(3, '0')}`;

let live: LiveServer | undefined;
let receiver: JsonReceiver | undefined;
afterEach(async () => {
  await live?.stop();
  await receiver?.close();
  if (live) removeDirectory(live.dir);
  live = undefined;
  receiver = undefined;
});

describe('notifications of one series arrive in order across alert episodes', () => {
  it.each([
    ['a receiver that accepts every request', 0, 13],
    ['a receiver that answers 503 to 20 % of requests', 0.2, 1013],
  ])('%s', async (_title, refusals, seed) => {
    const random = seeded(seed);
    receiver = await new JsonReceiver(() => (random() < refusals ? { status: 503 } : { status: 200 })).listen();
    const where = configDirectory({
      'hot.yaml': [
        'rules:',
        '  - name: hot',
        '    metric: temp',
        '    window: length(1)',
        '    condition: value > 80',
        '    severity: warning',
        "    message: '#entity is at #value'",
        '',
      ].join('\n'),
      'webhooks.yaml': [
        'webhooks:',
        '  - name: status-page',
        `    url: ${receiver.url()}`,
        '    template: events',
        '    events: [alert.open, alert.cancel]',
        // Short backoff so the refused requests are retried within the test's time.
        '    retry: { initial: 20ms, max: 100ms }',
        '',
      ].join('\n'),
    });
    live = await startLive(where);

    const values = feed(seeded(seed + 1));
    // Data time, compressed: 40 batches one second apart in data time, sent back to back.
    const start = Math.floor(Date.now() / 1000) * 1000 - 2 * 60_000;
    for (let batch = 0; batch < BATCHES; batch++) {
      const lines = values.map((series, entity) => `temp,entity=${name(entity)} value=${series[batch]} ${start + batch * 1000}`);
      expect(await live.write(lines)).toBe(204);
    }
    const expected = new Map(values.map((series, entity) => [name(entity), expectedTypes(series)]));
    const total = [...expected.values()].reduce((sum, types) => sum + types.length, 0);
    expect(total).toBeGreaterThan(ENTITIES * 20);

    const accepted = receiver;
    await waitUntil(
      () => accepted.accepted.length >= total && live?.server.runtime.store.outboxDepth() === 0,
      90_000,
      () => `${accepted.accepted.length} of ${total} notifications accepted`,
    );

    const received = new Map<string, EventBody[]>();
    for (const request of accepted.accepted) {
      for (const event of (request.body as { events: EventBody[] }).events) {
        const list = received.get(event.data.entity.name) ?? [];
        list.push(event);
        received.set(event.data.entity.name, list);
      }
    }
    const outOfOrder = [...expected].filter(([entity, types]) => {
      const got = (received.get(entity) ?? []).map((event) => event.type);
      return JSON.stringify(got) !== JSON.stringify(types);
    });
    const shorten = (type: string) => type.replace('alert.', '');
    expect(
      outOfOrder.map(([entity]) => `${entity}: ${(received.get(entity) ?? []).map((event) => shorten(event.type)).join(' ')}`),
      `${outOfOrder.length} of ${ENTITIES} entities out of order`,
    ).toEqual([]);
    // Each open and the cancel after it belong to one episode; the next open starts a new one.
    for (const events of received.values()) {
      for (let index = 1; index < events.length; index += 2) expect(events[index]!.data.alert_id).toBe(events[index - 1]!.data.alert_id);
      const episodes = new Set(events.map((event) => event.data.alert_id));
      expect(episodes.size).toBe(Math.ceil(events.length / 2));
    }
    if (refusals > 0) expect(accepted.requests).toBeGreaterThan(total);
  }, 150_000);
});
