/**
 * API errors: one JSON shape for every 4xx/5xx, `{ error: { code, message, hint?, details? } }`,
 * saying what is wrong and how to fix it.
 */
import type { StoreUnavailableError } from '../store/errors.js';
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly hint: string | undefined;
  readonly details: unknown;
  readonly headers: Record<string, string>;
  constructor(status: number, code: string, message: string, options: { hint?: string; details?: unknown; headers?: Record<string, string> } = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.hint = options.hint;
    this.details = options.details;
    this.headers = options.headers ?? {};
  }
}

export interface ErrorBody {
  error: { code: string; message: string; hint?: string; details?: unknown };
}

export function errorBody(code: string, message: string, hint?: string, details?: unknown): ErrorBody {
  const error: ErrorBody['error'] = { code, message };
  if (hint !== undefined) error.hint = hint;
  if (details !== undefined) error.details = details;
  return { error };
}

export const notFound = (kind: string, name: string, hint?: string) =>
  new ApiError(404, 'not_found', `no ${kind} named '${name}'`, hint ? { hint } : {});

/**
 * Retry-After for a store that takes no writes: a full disk or an I/O error needs an operator, so
 * clients should not hammer; a lock timeout usually clears within seconds.
 */
export const STORE_RETRY_AFTER_SECONDS = { disk_full: 30, io_error: 30, busy: 5 } as const;

/**
 * 503 for a request whose write the store refused (disk full, I/O error, lock timeout): nothing of
 * it was applied, and the same request may be sent again. `what` names the request's change.
 */
export function storeUnavailable(error: StoreUnavailableError, what = 'the change'): ApiError {
  return new ApiError(503, 'store_unavailable', `${what} was not applied: ${error.message}`, {
    hint: `${error.hint}; nothing of this request was applied, so sending it again is safe`,
    details: { reason: error.reason },
    headers: { 'retry-after': String(STORE_RETRY_AFTER_SECONDS[error.reason]) },
  });
}
