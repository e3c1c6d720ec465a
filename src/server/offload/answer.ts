/**
 * The offload thread's answers as API results and errors: a job's own 4xx passes through as it
 * was raised; a job that did not finish says why and how to get it through.
 */
import { ApiError } from '../errors.js';
import { OFFLOAD_TIMEOUT_VARIABLE, type JobAnswer, type OffloadError } from './pool.js';

/** The API error of an offloaded job that did not finish (offload/pool.ts). */
export function offloadFailure(error: OffloadError, what: string): ApiError {
  if (error.reason === 'busy') {
    return new ApiError(503, 'busy', `too many previews and checks are waiting (${error.message})`, {
      hint: 'retry in a moment',
      headers: { 'retry-after': '1' },
    });
  }
  if (error.reason === 'timeout') {
    return new ApiError(422, 'too_slow', `${what} was stopped: ${error.message}`, {
      hint: 'make the text smaller or simpler (fewer {{ }} expressions, fewer nested blocks); ' +
        `the limit is ${OFFLOAD_TIMEOUT_VARIABLE} (docs/operations.md "Limits")`,
    });
  }
  return new ApiError(422, 'too_costly', `${what} was stopped: ${error.message}`, {
    hint: 'make the text smaller or simpler; it may have used more memory than allowed',
  });
}

/** An answer of the offload thread as the route's result, or its API error. */
export function answerOf(answer: JobAnswer): unknown {
  if (answer.ok) return answer.result;
  const { status, code, message, hint, details } = answer.error;
  throw new ApiError(status, code, message, {
    ...(hint !== undefined ? { hint } : {}),
    ...(details !== undefined ? { details } : {}),
  });
}
