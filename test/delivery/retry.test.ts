import { describe, expect, it } from 'vitest';
import type { DeliveryErrorCode } from '../../src/delivery/errors.js';
import { backoffMs, isRetryable, parseRetryAfter, retryDecision, type AttemptOutcome } from '../../src/delivery/retry.js';
import { makeWebhook } from './helpers/fakes.js';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const webhook = makeWebhook({ retry: { initial: '1s', max: '1m' }, discard_after: '5m' });
const status = (statusCode: number, headers: Record<string, string> = {}): AttemptOutcome => ({ statusCode, error: null, responseHeaders: headers });
const failure = (code: DeliveryErrorCode): AttemptOutcome => ({ statusCode: null, error: { code, message: code }, responseHeaders: {} });
const middle = () => 0.5;

describe('what is retried (SPEC §6)', () => {
  it.each([
    [408, true], [429, true], [500, true], [502, true], [503, true], [599, true],
    [400, false], [401, false], [403, false], [404, false], [410, false], [422, false], [301, false], [302, false],
  ])('HTTP %i → retry %s', (code, expected) => {
    expect(isRetryable(status(code))).toBe(expected);
  });

  it.each([
    ['timeout', true], ['connection_refused', true], ['connection_reset', true], ['dns', true], ['network', true], ['secret_unavailable', true],
    ['tls', false], ['tls_config', false], ['egress_denied', false], ['render_failed', false], ['invalid_request', false],
  ] as Array<[DeliveryErrorCode, boolean]>)('%s → retry %s', (code, expected) => {
    expect(isRetryable(failure(code))).toBe(expected);
  });

  it('gives up at once on other 4xx, naming the status', () => {
    expect(retryDecision(status(404), 1, NOW, NOW, webhook, middle)).toEqual({
      give_up: 'rejected',
      reason: 'HTTP 404 (answers other than 408, 429 and 5xx are not retried)',
    });
  });

  it('refuses to decide about a success', () => {
    expect(() => retryDecision(status(204), 1, NOW, NOW, webhook, middle)).toThrow(/success/);
  });
});

describe('exponential backoff with jitter, capped', () => {
  it.each([
    [1, 1_000], [2, 2_000], [3, 4_000], [4, 8_000], [6, 32_000], [7, 60_000], [20, 60_000], [500, 60_000],
  ])('attempt %i waits between half and all of %i ms', (attempt, base) => {
    expect(backoffMs(attempt, 1_000, 60_000, () => 0)).toBe(base / 2);
    expect(backoffMs(attempt, 1_000, 60_000, () => 1)).toBe(base);
  });

  it('schedules the retry from now', () => {
    expect(retryDecision(status(503), 3, NOW, NOW, webhook, () => 1)).toEqual({ retryAt: NOW + 4_000 });
  });
});

describe('Retry-After', () => {
  it.each([
    ['delay-seconds', '120', 120_000],
    ['zero', '0', 0],
    ['an HTTP date', new Date(NOW + 90_000).toUTCString(), 90_000],
    ['a date in the past', new Date(NOW - 5_000).toUTCString(), 0],
    ['garbage', 'soon', null],
    ['absent', undefined, null],
  ])('%s', (_title, value, expected) => {
    expect(parseRetryAfter(value, NOW)).toBe(expected);
  });

  it('waits at least as long as the receiver asks', () => {
    expect(retryDecision(status(429, { 'retry-after': '120' }), 1, NOW, NOW, webhook, middle)).toEqual({ retryAt: NOW + 120_000 });
  });

  it('keeps its own backoff when that is longer', () => {
    expect(retryDecision(status(503, { 'retry-after': '1' }), 5, NOW, NOW, webhook, () => 1)).toEqual({ retryAt: NOW + 16_000 });
  });

  it('gives up when the receiver asks to wait past discard_after', () => {
    const decision = retryDecision(status(503, { 'retry-after': '600' }), 1, NOW, NOW, webhook, middle);
    expect(decision).toMatchObject({ give_up: 'discarded' });
  });
});

describe('discard_after', () => {
  it('discards once the period since queueing has passed', () => {
    const decision = retryDecision(failure('connection_refused'), 9, NOW, NOW + 300_000, webhook, middle);
    expect(decision).toEqual({
      give_up: 'discarded',
      reason: 'not delivered within discard_after (5m) after 9 attempts; last: connection_refused: connection_refused',
    });
  });

  it('makes one last attempt at the deadline instead of giving up early', () => {
    expect(retryDecision(status(500), 7, NOW, NOW + 280_000, webhook, () => 1)).toEqual({ retryAt: NOW + 300_000 });
  });
});
