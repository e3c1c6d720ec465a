/**
 * The offload thread (src/server/offload/pool.ts): previews of unsaved text and rules/check run
 * there, one job at a time, each with a time limit; a job over it loses its thread and the next
 * job gets a fresh one; a full queue is refused. No job's outcome depends on a timed assertion:
 * the slow job takes seconds of compilation against a limit of 1 ms.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_RENDER_LIMITS } from '../../../src/templates/budget.js';
import { OFFLOAD_QUEUE_LIMIT, OffloadError, OffloadThread, offloadTimeoutFromEnv } from '../../../src/server/offload/pool.js';
import type { OffloadJob } from '../../../src/server/offload/worker.js';

const thread = new OffloadThread(60_000);
afterAll(() => thread.close());

const preview = (text: string, event = 'alert.open'): OffloadJob => ({ kind: 'preview', limits: { ...DEFAULT_RENDER_LIMITS }, body: { text, event } });
const slow = preview(`{ "t": "${'{{#if value}}x{{/if}}'.repeat(3000)}" }`);
const light = preview('{ "v": "#value" }');

describe('the offload thread', () => {
  it('answers a preview with its body', async () => {
    const answer = await thread.run(light);
    expect(answer).toMatchObject({ ok: true, result: { body: '{"v":1}' } });
  });

  it('passes a 4xx the job raised back as it was raised', async () => {
    const answer = await thread.run(preview('{ "v": "#value" }', 'alert.opn'));
    expect(answer).toMatchObject({ ok: false, error: { status: 400, code: 'unknown_event_type' } });
  });

  it('stops a job over its time limit, and the next job runs on a fresh thread', async () => {
    const stopped = await thread.run(slow, 1).then(() => null, (error: unknown) => error);
    expect(stopped).toBeInstanceOf(OffloadError);
    expect((stopped as OffloadError).reason).toBe('timeout');
    expect((stopped as OffloadError).message).toBe('it took longer than 1 ms');
    expect(await thread.run(light)).toMatchObject({ ok: true });
  });

  it(`refuses jobs beyond ${OFFLOAD_QUEUE_LIMIT} waiting`, async () => {
    const jobs = Array.from({ length: OFFLOAD_QUEUE_LIMIT + 3 }, () => thread.run(light).then(() => 'done', (error: unknown) => (error as OffloadError).reason));
    const outcomes = await Promise.all(jobs);
    expect(outcomes.filter((o) => o === 'busy').length).toBeGreaterThanOrEqual(2);
    expect(outcomes.filter((o) => o === 'done').length).toBeGreaterThanOrEqual(OFFLOAD_QUEUE_LIMIT);
  });

  it('reads its time limit from TOCSIN_PREVIEW_TIMEOUT_MS and refuses a bad value', () => {
    expect(offloadTimeoutFromEnv({})).toEqual({ ok: true, timeoutMs: 10_000 });
    expect(offloadTimeoutFromEnv({ TOCSIN_PREVIEW_TIMEOUT_MS: '2500' })).toEqual({ ok: true, timeoutMs: 2500 });
    expect(offloadTimeoutFromEnv({ TOCSIN_PREVIEW_TIMEOUT_MS: 'soon' })).toMatchObject({ ok: false, error: expect.stringMatching(/TOCSIN_PREVIEW_TIMEOUT_MS .* got 'soon'/) });
  });
});
