/**
 * Issue 12.6: `delivery.failed` is written in the same transaction as the settlement that causes it.
 * The crash between two transactions is simulated with the store itself: a trigger makes the write
 * of the delivery.failed event abort (as a full disk or a kill would stop it). A notification must
 * then never be `failed` without its delivery.failed; after the fault is gone and the server starts
 * again on the same store, the failure is found again and reaches the webhook that pages about it.
 * Also: the dropped and failed notifications show in the alert's explanation.
 */
import { DatabaseSync } from 'node:sqlite';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { configDirectory, JsonReceiver, removeDirectory, startLive, waitUntil, type LiveServer } from './fixtures/live-server.js';

let live: LiveServer | undefined;
const receivers: JsonReceiver[] = [];
let directory: string | undefined;
afterEach(async () => {
  await live?.stop();
  for (const receiver of receivers.splice(0)) await receiver.close();
  if (directory) removeDirectory(directory);
  live = undefined;
  directory = undefined;
});

/** A pino logger whose lines are kept, to see what the worker reported. */
function recordingLogger(): { log: pino.Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return { log: pino({ level: 'warn' }, stream), lines };
}

describe('delivery.failed and the settlement that causes it', () => {
  it('are stored together: a fault in between keeps neither, and the failure is reported after the restart', async () => {
    const broken = await new JsonReceiver(() => ({ status: 400 })).listen();
    const pager = await new JsonReceiver(() => ({ status: 200 })).listen();
    receivers.push(broken, pager);
    const where = configDirectory({
      'hot.yaml': ['rules:', '  - name: hot', '    metric: temp', '    window: length(1)', '    condition: value > 80', '    severity: warning', ''].join('\n'),
      'webhooks.yaml': [
        'webhooks:',
        '  - name: broken',
        `    url: ${broken.url()}`,
        '    events: [alert.open]',
        '  - name: pager',
        `    url: ${pager.url()}`,
        '    template: events',
        '    events: [delivery.failed]',
        '',
      ].join('\n'),
    });
    directory = where.dir;
    const recorded = recordingLogger();
    live = await startLive(where, recorded.log);
    // The fault: writing a delivery.failed event fails, as if the process died right there.
    const db = new DatabaseSync(where.dataFile);
    db.exec(`CREATE TRIGGER fault BEFORE INSERT ON events WHEN NEW.type = 'delivery.failed'
             BEGIN SELECT RAISE(ABORT, 'simulated crash before delivery.failed was stored'); END`);

    expect(await live.write([`temp,entity=web-1 value=95 ${Date.now() - 1_000}`])).toBe(204);
    const store = live.server.runtime.store;
    const failedRows = () => store.listOutbox({ webhook: 'broken', status: 'failed' });
    await waitUntil(
      () => broken.requests > 0 && (failedRows().length > 0 || recorded.lines.some((line) => line.includes('simulated crash'))),
      30_000,
      () => `${broken.requests} requests to the broken webhook, ${failedRows().length} failed rows`,
    );
    // Never one without the other.
    expect(failedRows()).toEqual([]);
    expect(store.listEvents({ type: 'delivery.failed' })).toEqual([]);
    const [open] = store.listOutbox({ webhook: 'broken' });
    expect(open).toMatchObject({ status: 'inflight' });

    await live.stop();
    live = undefined;
    db.exec('DROP TRIGGER fault');
    db.close();

    // The restart finds the notification in flight, sends it at once, and this time both are stored.
    live = await startLive(where);
    const again = live.server.runtime.store;
    await waitUntil(() => pager.accepted.length > 0, 30_000, () => `${broken.requests} requests to the broken webhook, nothing at the pager`);
    const [failed] = again.listOutbox({ webhook: 'broken' });
    expect(failed).toMatchObject({ status: 'failed', attempts: 1 });
    const events = again.listEvents({ type: 'delivery.failed' });
    expect(events).toHaveLength(1);
    expect(events[0]!.event.data).toMatchObject({ webhook: 'broken', event_id: open!.eventId, reason: 'rejected', attempts: 1, last_status: 400 });
    const paged = (pager.accepted[0]!.body as { events: Array<{ id: string; type: string }> }).events[0];
    expect(paged).toMatchObject({ id: events[0]!.event.id, type: 'delivery.failed' });

    // The alert's explanation shows the failed notification and the attempt that was sent.
    const explained = await live.get(`/api/v1/alerts/${open!.alertId}`);
    expect(explained.status).toBe(200);
    const text = JSON.stringify(explained.json);
    expect(text).toContain('"status":"failed"');
    expect(text).toMatch(/broken: failed after 1 attempt/);
  }, 90_000);
});
