import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteStore } from '../../../src/store/sqlite.js';
import { truncateUtf8 } from '../../../src/store/sqlite/delivery-log.js';
import { RESPONSE_BODY_LIMIT_BYTES } from '../../../src/store/store.js';
import { attemptLog, memoryStore, notification } from '../helpers.js';

let store: SqliteStore;
beforeEach(() => {
  store = memoryStore();
});
afterEach(() => store.close());

const MINUTE = 60_000;

describe('delivery attempts log', () => {
  it('keeps every field of an attempt and the alert of its outbox row', () => {
    const [id] = store.commit({ now: 0, outbox: [notification('e1', 'chat', 'A1')] }).outboxIds;
    const attempt = store.recordAttempt({ ...attemptLog(id!, 'e1', 'chat', 5, false), statusCode: null, error: 'ECONNREFUSED', responseBody: null });
    expect(attempt).toEqual({
      id: 1,
      outboxId: id,
      eventId: 'e1',
      alertId: 'A1',
      webhook: 'chat',
      time: 5,
      statusCode: null,
      latencyMs: 12.5,
      responseHeaders: { 'content-type': 'text/plain' },
      responseBody: null,
      error: 'ECONNREFUSED',
      ok: false,
    });
    expect(store.listDeliveryAttempts({ alertId: 'A1' })).toEqual([attempt]);
    expect(store.listDeliveryAttempts({ eventId: 'e1' })).toEqual([attempt]);
    expect(store.listDeliveryAttempts({ outboxId: id! })).toEqual([attempt]);
    expect(store.listDeliveryAttempts({ alertId: 'A2' })).toEqual([]);
    expect(store.listDeliveryAttempts({ eventId: 'e2' })).toEqual([]);
  });

  it('logs attempts that bypass the outbox (webhook test) without an alert', () => {
    const attempt = store.recordAttempt(attemptLog(null, 'test-1', 'chat', 5, true));
    expect(attempt).toMatchObject({ outboxId: null, alertId: null });
    // Found by its event id although no outbox row leads to it.
    expect(store.listDeliveryAttempts({ eventId: 'test-1' })).toEqual([attempt]);
  });

  it('lists by webhook newest first, and pages with a cursor', () => {
    for (let time = 1; time <= 5; time++) store.recordAttempt(attemptLog(null, `e${time}`, time % 2 === 0 ? 'even' : 'odd', time, true));
    const page1 = store.listDeliveryAttempts({ webhook: 'odd', limit: 2 });
    expect(page1.map((attempt) => attempt.eventId)).toEqual(['e5', 'e3']);
    const page2 = store.listDeliveryAttempts({ webhook: 'odd', limit: 2, beforeId: page1.at(-1)!.id });
    expect(page2.map((attempt) => attempt.eventId)).toEqual(['e1']);
    expect(store.listDeliveryAttempts({ eventId: 'e4' }).map((attempt) => attempt.webhook)).toEqual(['even']);
  });

  it('keeps only the first 4 KiB of a response body', () => {
    const attempt = store.recordAttempt({ ...attemptLog(null, 'e', 'chat', 1, false), responseBody: 'x'.repeat(10_000) });
    expect(attempt.responseBody).toHaveLength(RESPONSE_BODY_LIMIT_BYTES);
  });
});

describe('truncateUtf8', () => {
  const cases = [
    { name: 'short text unchanged', body: 'hello', limit: 10, expected: 'hello' },
    { name: 'ASCII cut at the limit', body: 'abcdefghij', limit: 4, expected: 'abcd' },
    // 'é' is 2 bytes: 'aé' is 3 bytes, so a 2-byte limit cannot keep half of it.
    { name: 'never splits a 2-byte character', body: 'aéb', limit: 2, expected: 'a' },
    // '€' is 3 bytes.
    { name: 'never splits a 3-byte character', body: '€€', limit: 5, expected: '€' },
    // '😀' is 4 bytes (a surrogate pair in UTF-16).
    { name: 'never splits a 4-byte character', body: 'ab😀', limit: 5, expected: 'ab' },
    { name: 'keeps a character that ends exactly at the limit', body: 'ab😀c', limit: 6, expected: 'ab😀' },
  ];
  it.each(cases)('$name', ({ body, limit, expected }) => {
    const result = truncateUtf8(body, limit);
    expect(result).toBe(expected);
    expect(Buffer.byteLength(result)).toBeLessThanOrEqual(limit);
  });
});

describe('webhook counters', () => {
  it('counts successes and failures per minute and in total', () => {
    const base = 100 * MINUTE;
    store.recordOutcome('chat', base + 1_000, true);
    store.recordOutcome('chat', base + 59_999, false);
    store.recordOutcome('chat', base + MINUTE, true);
    store.recordOutcome('chat', base + 3 * MINUTE + 5, true);
    store.recordOutcome('pager', base, false);

    expect(store.webhookStats('chat', base + 30_000)).toEqual({
      webhook: 'chat',
      successes: 3,
      failures: 1,
      lastSuccessAt: base + 3 * MINUTE + 5,
      lastFailureAt: base + 59_999,
      perMinute: [
        { minute: base, successes: 1, failures: 1 },
        { minute: base + MINUTE, successes: 1, failures: 0 },
        { minute: base + 3 * MINUTE, successes: 1, failures: 0 },
      ],
    });
    expect(store.webhookStats('chat', base + 2 * MINUTE).perMinute.map((bucket) => bucket.minute)).toEqual([base + 3 * MINUTE]);
    expect(store.webhookTotals().map(({ webhook, successes, failures }) => [webhook, successes, failures])).toEqual([
      ['chat', 3, 1],
      ['pager', 0, 1],
    ]);
  });

  it('answers zeros for a webhook never invoked', () => {
    expect(store.webhookStats('new', 0)).toEqual({
      webhook: 'new',
      successes: 0,
      failures: 0,
      lastSuccessAt: null,
      lastFailureAt: null,
      perMinute: [],
    });
  });

  it('counts each logged attempt', () => {
    store.recordAttempt(attemptLog(null, 'e1', 'chat', 1, true));
    store.recordAttempt(attemptLog(null, 'e2', 'chat', 2, false));
    expect(store.webhookStats('chat', 0)).toMatchObject({ successes: 1, failures: 1 });
  });
});

describe('prune', () => {
  it('removes rows older than each cutoff, keeps unfinished outbox rows and totals', () => {
    const ids = store.commit({
      now: 0,
      outbox: [notification('done', 'chat', null), notification('waiting', 'chat', null)],
      history: [{ rule: 'r', seriesKey: 's', alertId: 'A', type: 'open', time: 10, value: 1 }],
      events: [{ event: { ...notification('x', 'chat', null).event, time: new Date(10).toISOString() }, alertId: null, rule: 'r', seriesKey: null }],
      audit: [{ actor: 'a', action: 'create', kind: 'webhook', name: 'chat', at: 10 }],
    }).outboxIds;
    const [first] = store.claimDue(0, 1, 1_000);
    expect(first!.id).toBe(ids[0]);
    store.markDelivered(first!.id, 10, attemptLog(first!.id, 'done', 'chat', 10, true));

    const none = store.prune({ deliveryAttemptsBefore: 10, finishedOutboxBefore: 10, historyBefore: 10, eventsBefore: 10, counterMinutesBefore: 0, auditBefore: 10 });
    expect(Object.values(none)).toEqual([0, 0, 0, 0, 0, 0]);

    const counts = store.prune({
      deliveryAttemptsBefore: 11,
      finishedOutboxBefore: 11,
      historyBefore: 11,
      eventsBefore: 11,
      counterMinutesBefore: MINUTE,
      auditBefore: 11,
    });
    expect(counts).toEqual({
      deliveryAttemptsBefore: 1,
      finishedOutboxBefore: 1,
      historyBefore: 1,
      eventsBefore: 1,
      counterMinutesBefore: 1,
      auditBefore: 1,
    });
    expect(store.listOutbox({}).map((row) => row.eventId)).toEqual(['waiting']);
    expect(store.webhookStats('chat', 0)).toMatchObject({ successes: 1, perMinute: [] });
  });

  it('leaves everything when no cutoff is given', () => {
    store.recordAttempt(attemptLog(null, 'e', 'chat', 1, true));
    expect(Object.values(store.prune({})).every((count) => count === 0)).toBe(true);
    expect(store.listDeliveryAttempts({})).toHaveLength(1);
  });
});
