/**
 * The soak bench's harness (bench/soak.js), run for a few seconds: it starts `tocsin run` (the
 * built dist/, as the e2e tests do), feeds it churning series over HTTP on 127.0.0.1, reads peak
 * RSS and /metrics, and stops the server. No timing is asserted: the numbers belong to the bench.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error: the bench is plain JavaScript without declarations
import { churnOverHttp, gaugeValue, LIVE_SERIES_METRIC } from '../../bench/soak.js';

const dir = mkdtempSync(join(tmpdir(), 'tocsin-soak-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('bench/soak.js', () => {
  it('sums a gauge over its label sets, and tells a missing gauge apart', () => {
    const exposition = [
      '# HELP tocsin_series_live Series held',
      '# TYPE tocsin_series_live gauge',
      'tocsin_series_live{rule="a"} 3',
      'tocsin_series_live{rule="b"} 4',
      'tocsin_series_live_other 100',
      'tocsin_open_alerts 2',
    ].join('\n');
    expect(gaugeValue(exposition, 'tocsin_series_live')).toBe(7);
    expect(gaugeValue(exposition, 'tocsin_open_alerts')).toBe(2);
    expect(gaugeValue(exposition, 'tocsin_nothing')).toBeNull();
    expect(LIVE_SERIES_METRIC).toBe('tocsin_series_live');
  });

  it('feeds a real server churning series for a few seconds and reports its memory and series', async () => {
    const result = await churnOverHttp({ durationMs: 3_000, generationMs: 1_000, perGeneration: 50, tickMs: 250, dir });
    expect(result.batches).toBeGreaterThan(0);
    expect(result.samples).toBe(result.batches * 50);
    expect(result.samplesReceived).toBe(result.samples);
    if (process.platform === 'linux') expect(result.peakRssBytes).toBeGreaterThan(10 * 2 ** 20);
    // The gauge appears with series forgetting; until then the harness reports it as missing.
    if (result.liveSeries !== null) expect(result.liveSeries).toBeLessThanOrEqual(result.generations * 50);
  }, 120_000);
});
