/**
 * API errors: one JSON shape for every 4xx/5xx, `{ error: { code, message, hint?, details? } }`,
 * saying what is wrong and how to fix it.
 */
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
