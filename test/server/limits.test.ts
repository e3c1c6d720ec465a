/**
 * Server limits as settings (SPEC §7, issue 14): names and defaults from schemas/limits.schema.json,
 * `--limit NAME=VALUE` over TOCSIN_LIMITS, and a usage error that names a bad setting.
 */
import { describe, expect, it } from 'vitest';
import { startServer } from '../../src/cli/commands/run.js';
import { EXIT_USAGE } from '../../src/cli/io.js';
import { DEFAULT_LIMITS, LIMIT_NAMES, limitKind, parseLimitSettings } from '../../src/server/limits.js';
import { DEFAULT_INGEST_LIMITS } from '../../src/server/ingest/limits.js';

const DAY = 86_400_000;

describe('limit settings', () => {
  it('has the documented defaults', () => {
    expect(DEFAULT_LIMITS).toMatchObject({
      max_metric_name_length: 255, max_entity_name_length: 255, max_tag_key_length: 128, max_tag_value_length: 1024,
      max_tags_per_sample: 64, max_sample_age: 365 * 86_400_000, max_sample_future: 600_000,
      headers_timeout: 10_000, request_timeout: 60_000, keep_alive_timeout: 72_000, connection_timeout: 30_000,
      max_connections: 10_000,
      body_size: 1024 * 1024, ingest_body_size: 32 * 1024 * 1024,
    });
    expect(DEFAULT_INGEST_LIMITS).toMatchObject({ maxSampleAgeMs: 365 * 86_400_000, maxTagsPerSample: 64 });
    for (const name of LIMIT_NAMES) expect(Number.isFinite(DEFAULT_LIMITS[name]), name).toBe(true);
  });

  it('reads counts and durations; a flag wins over the environment', () => {
    const flags = ['max_connections=20', 'request_timeout=2m'];
    const result = parseLimitSettings(flags, 'max_connections=10, max_sample_age=30d');
    const limits = { ...DEFAULT_LIMITS, max_connections: 20, request_timeout: 120_000, max_sample_age: 30 * DAY };
    expect(result).toEqual({ ok: true, limits });
    expect(limitKind('max_sample_age')).toBe('duration');
    expect(limitKind('max_connections')).toBe('count');
  });

  it.each([
    [['max_sample_ag=1d'], undefined, "--limit: unknown limit 'max_sample_ag' (did you mean 'max_sample_age'?)"],
    [[], 'max_connections', "TOCSIN_LIMITS 'max_connections' is not NAME=VALUE"],
    [['max_connections=0'], undefined, "--limit: max_connections '0' is not a whole number of at least 1"],
    [['max_connections=1.5'], undefined, "--limit: max_connections '1.5' is not a whole number of at least 1"],
    [['max_sample_age=365'], undefined, "--limit: max_sample_age '365' is not a duration such as 30s, 5m or 365d"],
    [['headers_timeout=2m', 'request_timeout=1m'], undefined,
      'headers_timeout (2m) is longer than request_timeout (1m)'],
  ] as const)('%j / TOCSIN_LIMITS=%s: %s', (flags, env, error) => {
    const result = parseLimitSettings(flags, env);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error).toBe(error);
      expect(result.hint).not.toBe('');
    }
  });

  it('tocsin run stops with a usage error on a bad setting, before opening anything', async () => {
    let stderr = '';
    const options = { data: '/nonexistent/never-created.db', port: '0', limit: ['max_conections=5'] };
    const code = await startServer(options, { stdout: () => {}, stderr: (text) => (stderr += text) });
    expect(code).toBe(EXIT_USAGE);
    expect(stderr).toContain("unknown limit 'max_conections' (did you mean 'max_connections'?)");
    expect(stderr).toContain('hint: limits are');
  });
});
