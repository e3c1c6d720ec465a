/**
 * The catalogue of delivery error codes. Attempt records, logs, the API and `tocsin webhook test`
 * show these codes; they are stable (documented in docs/webhooks.md), so receivers' operators and
 * scripts may rely on them. Like undici's `UND_ERR_*`, one code per cause, never a bare string.
 */

export const DELIVERY_ERROR_CODES = {
  timeout: 'no complete response within the webhook timeout',
  connection_refused: 'the receiver refused the connection',
  connection_reset: 'the connection was closed or reset before a response arrived',
  dns: 'the host name could not be resolved',
  tls: 'the TLS handshake failed or the certificate was rejected',
  tls_config: 'the TLS settings of the webhook are unusable (ca_file)',
  egress_denied: 'the egress guard refused the destination address',
  secret_unavailable: 'a secret (env or file) could not be read or is not usable',
  render_failed: 'the template could not render the event',
  invalid_request: 'the request could not be built (URL or headers)',
  network: 'another network error',
} as const;

export type DeliveryErrorCode = keyof typeof DELIVERY_ERROR_CODES;

/** Causes worth another attempt: the receiver or the network may recover, or a secret file may appear. */
export const RETRYABLE_ERROR_CODES: ReadonlySet<DeliveryErrorCode> = new Set<DeliveryErrorCode>([
  'timeout',
  'connection_refused',
  'connection_reset',
  'dns',
  'network',
  'secret_unavailable',
]);

export interface DeliveryErrorInfo {
  code: DeliveryErrorCode;
  message: string;
}

/** An error raised inside delivery on purpose, with its catalogue code. */
export class DeliveryError extends Error {
  readonly code: DeliveryErrorCode;
  constructor(code: DeliveryErrorCode, message: string) {
    super(message);
    this.name = 'DeliveryError';
    this.code = code;
  }
}

const BY_SYSTEM_CODE: Record<string, DeliveryErrorCode> = {
  ECONNREFUSED: 'connection_refused',
  ECONNRESET: 'connection_reset',
  EPIPE: 'connection_reset',
  UND_ERR_SOCKET: 'connection_reset',
  UND_ERR_CLOSED: 'connection_reset',
  ENOTFOUND: 'dns',
  EAI_AGAIN: 'dns',
  EAI_NONAME: 'dns',
  ETIMEDOUT: 'timeout',
  UND_ERR_CONNECT_TIMEOUT: 'timeout',
  UND_ERR_HEADERS_TIMEOUT: 'timeout',
  UND_ERR_BODY_TIMEOUT: 'timeout',
  UND_ERR_INVALID_ARG: 'invalid_request',
  ERR_INVALID_URL: 'invalid_request',
};

const TLS_HINT = 'trust the receiver\'s CA with ca_file, or set allow_invalid_certs: true (testing only)';

function isTlsCode(code: string): boolean {
  return (
    code.startsWith('ERR_TLS_') ||
    code.startsWith('ERR_SSL_') ||
    code.includes('CERT') ||
    code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' ||
    code === 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY' ||
    code === 'SELF_SIGNED_CERT_IN_CHAIN' ||
    code === 'DEPTH_ZERO_SELF_SIGNED_CERT'
  );
}

function codeOf(error: unknown): string | undefined {
  if (error !== null && typeof error === 'object' && 'code' in error && typeof error.code === 'string') return error.code;
  return undefined;
}

/** Maps whatever the HTTP stack threw to a catalogue entry, keeping the original text for the log. */
export function describeError(error: unknown): DeliveryErrorInfo {
  if (error instanceof DeliveryError) return { code: error.code, message: error.message };
  if (error instanceof Error && error.name === 'TimeoutError') return { code: 'timeout', message: error.message };
  // Happy-eyeballs connects (autoSelectFamily) fail with an AggregateError of one error per address.
  if (error instanceof AggregateError && error.errors.length > 0) {
    const inner = describeError(error.errors[0]);
    return { code: inner.code, message: error.message || inner.message };
  }
  const message = error instanceof Error ? error.message : String(error);
  const code = codeOf(error);
  if (code !== undefined) {
    const mapped = BY_SYSTEM_CODE[code];
    if (mapped !== undefined) return { code: mapped, message: `${message} (${code})` };
    if (isTlsCode(code)) return { code: 'tls', message: `${message} (${code}); ${TLS_HINT}` };
  }
  if (error instanceof Error && error.cause !== undefined) {
    const inner = describeError(error.cause);
    if (inner.code !== 'network') return inner;
  }
  return { code: 'network', message: code === undefined ? message : `${message} (${code})` };
}
