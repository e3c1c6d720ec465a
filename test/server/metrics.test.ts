import { describe, expect, it } from 'vitest';
import { createMetrics, deliveryOutcomeLabel, type TocsinMetrics } from '../../src/server/metrics.js';

/** The value of one series of a metric, as `/metrics` would show it (0 when absent). */
async function valueOf(metrics: TocsinMetrics, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = metrics.registry.getSingleMetric(name);
  if (metric === undefined) throw new Error(`no metric ${name}`);
  const { values } = await metric.get();
  const match = values.find((v) => Object.entries(labels).every(([key, value]) => v.labels[key] === value));
  return match?.value ?? 0;
}

describe('GET /metrics exposition (SPEC §7)', () => {
  it('names every tocsin metric and the Node process metrics', async () => {
    const metrics = createMetrics({ outboxDepths: () => [{ webhook: 'ops', pending: 2, inflight: 1 }], openAlerts: () => 3 });
    metrics.samplesReceived('json', 10);
    metrics.samplesRejected('invalid');
    metrics.evaluations(5);
    metrics.evaluationError('cpu-high');
    metrics.eventsEmitted('alert.open');
    metrics.delivery('ops', 'success', 120);
    const { contentType, body } = await metrics.exposition();
    expect(contentType).toContain('text/plain');
    for (const line of [
      'tocsin_samples_received_total{source="json"} 10',
      'tocsin_samples_rejected_total{reason="invalid"} 1',
      'tocsin_evaluations_total 5',
      'tocsin_evaluation_errors_total{rule="cpu-high"} 1',
      'tocsin_events_total{type="alert.open"} 1',
      'tocsin_deliveries_total{webhook="ops",outcome="success"} 1',
      'tocsin_delivery_latency_seconds_count{webhook="ops"} 1',
      'tocsin_outbox_depth{webhook="ops"} 3',
      'tocsin_open_alerts 3',
    ]) {
      expect(body).toContain(`\n${line}\n`);
    }
    expect(body).toMatch(/^# HELP process_cpu_user_seconds_total /m);
    expect(body).toMatch(/^# HELP nodejs_eventloop_lag_seconds /m);
  });

  it('leaves process metrics out on request', async () => {
    const { body } = await createMetrics({ processMetrics: false }).exposition();
    expect(body).toContain('# HELP tocsin_evaluations_total');
    expect(body).not.toContain('process_cpu_user_seconds_total');
  });

  it('each instance has its own registry: counters are not shared', async () => {
    const first = createMetrics();
    const second = createMetrics();
    first.samplesReceived('influx', 7);
    expect(await valueOf(first, 'tocsin_samples_received_total', { source: 'influx' })).toBe(7);
    expect(await valueOf(second, 'tocsin_samples_received_total', { source: 'influx' })).toBe(0);
    expect(first.registry).not.toBe(second.registry);
  });

  it('reads the outbox depth at scrape time, and drops webhooks whose queue is gone', async () => {
    let depths = [
      { webhook: 'ops', pending: 4, inflight: 1 },
      { webhook: 'pager', pending: 1, inflight: 0 },
    ];
    const metrics = createMetrics({ processMetrics: false, outboxDepths: () => depths });
    expect(await valueOf(metrics, 'tocsin_outbox_depth', { webhook: 'ops' })).toBe(5);
    depths = [{ webhook: 'ops', pending: 0, inflight: 2 }];
    const { body } = await metrics.exposition();
    expect(body).toContain('tocsin_outbox_depth{webhook="ops"} 2');
    expect(body).not.toContain('webhook="pager"');
  });

  it('keeps open alerts from a source, or from setOpenAlerts without one', async () => {
    let open = 2;
    const sourced = createMetrics({ processMetrics: false, openAlerts: async () => open });
    expect(await valueOf(sourced, 'tocsin_open_alerts')).toBe(2);
    open = 0;
    expect(await valueOf(sourced, 'tocsin_open_alerts')).toBe(0);
    const set = createMetrics({ processMetrics: false });
    set.setOpenAlerts(4);
    expect(await valueOf(set, 'tocsin_open_alerts')).toBe(4);
  });

  it('counts delivery outcomes per webhook and observes latency in seconds only when a request was made', async () => {
    const metrics = createMetrics({ processMetrics: false });
    metrics.delivery('ops', 'retry', 2500);
    metrics.delivery('ops', 'failure', 40);
    metrics.delivery('ops', 'dropped');
    expect(await valueOf(metrics, 'tocsin_deliveries_total', { webhook: 'ops', outcome: 'retry' })).toBe(1);
    expect(await valueOf(metrics, 'tocsin_deliveries_total', { webhook: 'ops', outcome: 'dropped' })).toBe(1);
    const { body } = await metrics.exposition();
    expect(body).toContain('tocsin_delivery_latency_seconds_count{webhook="ops"} 2');
    expect(body).toContain('tocsin_delivery_latency_seconds_sum{webhook="ops"} 2.54');
    expect(body).toContain('tocsin_delivery_latency_seconds_bucket{le="0.05",webhook="ops"} 1');
  });

  it.each([
    ['delivered', 'success'],
    ['failed', 'failure'],
    ['retry', 'retry'],
    ['discarded', 'discarded'],
    ['dropped', 'dropped'],
  ] as const)('the outbox outcome %s counts as %s', (outcome, label) => {
    expect(deliveryOutcomeLabel(outcome)).toBe(label);
  });
});

describe('engine stats become counter increments', () => {
  it('counts only what happened since the previous snapshot', async () => {
    const metrics = createMetrics({ processMetrics: false });
    metrics.recordEngineStats({ evaluations: 5, events: { 'alert.open': 1 }, droppedSamples: 2 });
    metrics.recordEngineStats({ evaluations: 8, events: { 'alert.open': 1, 'alert.cancel': 1 }, droppedSamples: 2, evaluationErrorsByRule: { 'cpu-high': 3 } });
    expect(await valueOf(metrics, 'tocsin_evaluations_total')).toBe(8);
    expect(await valueOf(metrics, 'tocsin_events_total', { type: 'alert.open' })).toBe(1);
    expect(await valueOf(metrics, 'tocsin_events_total', { type: 'alert.cancel' })).toBe(1);
    expect(await valueOf(metrics, 'tocsin_samples_rejected_total', { reason: 'too_old' })).toBe(2);
    expect(await valueOf(metrics, 'tocsin_evaluation_errors_total', { rule: 'cpu-high' })).toBe(3);
  });

  it('counts refused series by rule, expired series, and reads the live series at scrape time', async () => {
    const metrics = createMetrics({ processMetrics: false, liveSeries: () => 42 });
    metrics.recordEngineStats({ evaluations: 0, events: {}, seriesRefusedByRule: { churn: 5 }, seriesExpired: 7 });
    metrics.recordEngineStats({ evaluations: 0, events: {}, seriesRefusedByRule: { churn: 9, other: 1 }, seriesExpired: 10 });
    expect(await valueOf(metrics, 'tocsin_series_refused_total', { rule: 'churn' })).toBe(9);
    expect(await valueOf(metrics, 'tocsin_series_refused_total', { rule: 'other' })).toBe(1);
    expect(await valueOf(metrics, 'tocsin_series_expired_total')).toBe(10);
    expect(await valueOf(metrics, 'tocsin_series')).toBe(42);
  });

  it('a new engine (reload) counts from zero again, with or without engineReplaced()', async () => {
    const metrics = createMetrics({ processMetrics: false });
    metrics.recordEngineStats({ evaluations: 10, events: {} });
    // A counter that went down can only be a new engine.
    metrics.recordEngineStats({ evaluations: 3, events: {} });
    expect(await valueOf(metrics, 'tocsin_evaluations_total')).toBe(13);
    metrics.engineReplaced();
    metrics.recordEngineStats({ evaluations: 20, events: {} });
    expect(await valueOf(metrics, 'tocsin_evaluations_total')).toBe(33);
  });
});
