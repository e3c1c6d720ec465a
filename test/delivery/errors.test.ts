import { describe, expect, it } from 'vitest';
import { DeliveryError, describeError } from '../../src/delivery/errors.js';

const withCode = (code: string, message = 'boom') => Object.assign(new Error(message), { code });

describe('errors get stable catalogue codes', () => {
  it.each([
    ['ECONNREFUSED', 'connection_refused'],
    ['ECONNRESET', 'connection_reset'],
    ['UND_ERR_SOCKET', 'connection_reset'],
    ['ENOTFOUND', 'dns'],
    ['EAI_AGAIN', 'dns'],
    ['UND_ERR_CONNECT_TIMEOUT', 'timeout'],
    ['UND_ERR_HEADERS_TIMEOUT', 'timeout'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'tls'],
    ['SELF_SIGNED_CERT_IN_CHAIN', 'tls'],
    ['CERT_HAS_EXPIRED', 'tls'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'tls'],
    ['ESOMETHINGELSE', 'network'],
  ])('%s → %s', (code, expected) => {
    expect(describeError(withCode(code)).code).toBe(expected);
  });

  it('keeps the code of a DeliveryError', () => {
    expect(describeError(new DeliveryError('egress_denied', 'no'))).toEqual({ code: 'egress_denied', message: 'no' });
  });

  it('reads an AggregateError of a happy-eyeballs connect', () => {
    expect(describeError(new AggregateError([withCode('ECONNREFUSED')], 'all failed')).code).toBe('connection_refused');
  });

  it('reads the cause of a wrapped error', () => {
    expect(describeError(new Error('fetch failed', { cause: withCode('ENOTFOUND') })).code).toBe('dns');
  });

  it('tells how to fix a certificate problem', () => {
    expect(describeError(withCode('DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate')).message).toContain('ca_file');
  });
});
