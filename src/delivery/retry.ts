/**
 * The retry policy (SPEC §6) as one pure decision, in the manner of undici's RetryHandler: network
 * errors, timeouts, 408, 429 and 5xx are retried with capped exponential backoff and jitter,
 * honouring Retry-After, until `discard_after` has passed since the notification was queued; any
 * other answer (4xx, 3xx: redirects are not followed) fails at once.
 */
import { attemptSummary, isSuccessStatus, type AttemptResult } from './attempt.js';
import { RETRYABLE_ERROR_CODES } from './errors.js';
import type { Webhook } from './webhook.js';

export type AttemptOutcome = Pick<AttemptResult, 'statusCode' | 'error' | 'responseHeaders'>;

export type RetryDecision =
  | { retryAt: number }
  /** discarded: retryable, but out of time; rejected: not worth retrying. */
  | { give_up: 'discarded' | 'rejected'; reason: string };

const RETRYABLE_STATUS = new Set([408, 429]);

export function isRetryable(outcome: Pick<AttemptResult, 'statusCode' | 'error'>): boolean {
  if (outcome.error !== null) return RETRYABLE_ERROR_CODES.has(outcome.error.code);
  const status = outcome.statusCode;
  return status !== null && (RETRYABLE_STATUS.has(status) || (status >= 500 && status <= 599));
}

/** Milliseconds to wait per a Retry-After value (delay-seconds or HTTP-date), or null when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: number): number | null {
  if (value === undefined) return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/**
 * Exponential backoff: retry.initial doubled per attempt, capped at retry.max, then "equal jitter"
 * (half fixed, half random) so a receiver coming back is not hit by every sender at once.
 */
export function backoffMs(attempt: number, initialMs: number, maxMs: number, random: () => number): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 30);
  const base = Math.min(maxMs, initialMs * 2 ** exponent);
  return Math.round(base / 2 + random() * (base / 2));
}

/**
 * @param outcome  the failed attempt (precondition: not a 2xx)
 * @param attempt  its number, 1-based
 * @param since    when the discard_after period started (the row's queuedAt)
 */
export function retryDecision(
  outcome: AttemptOutcome,
  attempt: number,
  since: number,
  now: number,
  webhook: Pick<Webhook, 'timing' | 'discard_after'>,
  random: () => number,
): RetryDecision {
  if (outcome.error === null && isSuccessStatus(outcome.statusCode)) {
    throw new Error('retryDecision: a 2xx answer is a success, not something to retry');
  }
  const last = attemptSummary(outcome);
  if (!isRetryable(outcome)) {
    const why = outcome.error !== null ? 'not retried' : 'answers other than 408, 429 and 5xx are not retried';
    return { give_up: 'rejected', reason: `${last} (${why})` };
  }
  const deadline = since + webhook.timing.discardAfterMs;
  const outOfTime: RetryDecision = {
    give_up: 'discarded',
    reason: `not delivered within discard_after (${webhook.discard_after}) after ${attempt} attempt${attempt === 1 ? '' : 's'}; last: ${last}`,
  };
  if (now >= deadline) return outOfTime;
  const retryAfter = parseRetryAfter(outcome.responseHeaders['retry-after'], now);
  // The receiver asked us to wait past the deadline: waiting would only end in a discard.
  if (retryAfter !== null && now + retryAfter > deadline) return outOfTime;
  const delay = Math.max(backoffMs(attempt, webhook.timing.retryInitialMs, webhook.timing.retryMaxMs, random), retryAfter ?? 0);
  // The last wait is shortened so one attempt still happens at the deadline.
  return { retryAt: Math.min(now + delay, deadline) };
}
