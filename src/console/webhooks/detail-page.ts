/**
 * One webhook: its settings (secrets never shown), counters, a per-minute success/failure chart over
 * 24 hours, the attempt log with response bodies, retry of failed deliveries, and the Test button.
 */
import { apiPath, describeProblem } from '../lib/api.js';
import type { PageContext } from '../lib/context.js';
import { h, type Child } from '../lib/dom.js';
import { formatLatency, formatTime } from '../lib/format.js';
import { href } from '../lib/router.js';
import { minuteSeries, total } from '../charts/series.js';
import { minuteChart } from '../charts/render.js';
import { badge, enabledBadge } from '../components/badges.js';
import { liveRegion, notice } from '../components/notice.js';
import { dataTable } from '../components/table.js';
import { backlogBadge, backlogBadgeSpec } from './backlog.js';
import { describeEvents, errorText, type DeliveryAttempt, type TestResult, type WebhookRow, type WebhookStats } from './types.js';

interface WebhookDetail extends WebhookRow {
  content_type?: string;
  auth?: { type?: string; user?: string; header?: string };
  signature?: { type?: string };
  headers?: Record<string, string>;
  params?: Record<string, string>;
  timeout?: string;
  batch?: string;
  discard_after?: string;
  lossy?: boolean;
  allow_invalid_certs?: boolean;
  ca_file?: string;
  /** Where a file-defined webhook lives. */
  file?: string;
}

/** Outbox states a person may send again (POST /deliveries/:id/retry). */
const RETRYABLE = new Set(['failed', 'discarded', 'dropped']);

function definitionList(entries: ReadonlyArray<readonly [string, Child]>): HTMLElement {
  return h('dl', { class: 'props' }, entries.map(([term, value]) => [h('dt', null, term), h('dd', null, value)]));
}

function authSummary(auth: WebhookDetail['auth']): string {
  switch (auth?.type) {
    case 'basic': return `basic (user ${auth.user ?? '?'}, password stored)`;
    case 'bearer': return 'bearer token (stored)';
    case 'api_key': return `API key in ${auth.header ?? '?'} (stored)`;
    default: return 'none';
  }
}

function responseCell(attempt: { responseBody?: string | null; responseHeaders?: Record<string, string> | null }): Child {
  const body = attempt.responseBody ?? '';
  const headers = Object.entries(attempt.responseHeaders ?? {});
  if (body === '' && headers.length === 0) return h('span', { class: 'muted' }, '—');
  const preview = body.length > 60 ? `${body.slice(0, 60)}…` : body || '(empty body)';
  return h(
    'details',
    { class: 'response' },
    h('summary', null, h('span', { class: 'mono' }, preview)),
    headers.length > 0 ? h('pre', { class: 'headers' }, headers.map(([name, value]) => `${name}: ${value}`).join('\n')) : null,
    h('pre', { class: 'body' }, body || '(empty body)'),
  );
}

const OUTCOME: Record<string, string> = { pending: 'will be retried', inflight: 'being retried', failed: 'gave up', discarded: 'discarded (too old)', dropped: 'dropped (queue full)' };

function statusCell(attempt: { ok: boolean; statusCode: number | null; status?: string | null }): Child {
  const code = attempt.statusCode === null ? 'no response' : `HTTP ${attempt.statusCode}`;
  const outcome = !attempt.ok && attempt.status ? OUTCOME[attempt.status] : undefined;
  return [badge(`${attempt.ok ? 'ok' : 'failed'} · ${code}`, attempt.ok ? 'ok' : 'bad'), outcome ? h('div', { class: 'muted small' }, outcome) : null];
}

function testResultView(result: TestResult): HTMLElement {
  const error = errorText(result.error);
  const headline = result.ok
    ? `Test delivered: HTTP ${result.statusCode ?? '?'} in ${formatLatency(result.latencyMs)}`
    : `Test failed: ${result.statusCode === null ? 'no response' : `HTTP ${result.statusCode}`} after ${formatLatency(result.latencyMs)}${error ? ` — ${error}` : ''}`;
  const headers = Object.entries(result.responseHeaders ?? {});
  return h(
    'div',
    { class: `test-result ${result.ok ? 'ok' : 'bad'}`, 'data-testid': 'test-result' },
    notice(result.ok ? 'success' : 'error', headline),
    h('h3', null, 'Receiver answered'),
    headers.length > 0 ? h('pre', { class: 'headers' }, headers.map(([name, value]) => `${name}: ${value}`).join('\n')) : null,
    h('pre', { class: 'body', 'data-testid': 'test-response-body' }, result.responseBody ?? '(no body)'),
  );
}

export async function webhookPage(context: PageContext, name: string): Promise<HTMLElement> {
  context.title(name);
  const [webhook, stats, deliveries] = await Promise.all([
    context.api.get<WebhookDetail>(apiPath('webhooks', name)),
    context.api.get<WebhookStats>(`${apiPath('webhooks', name, 'stats')}?hours=24`).catch(() => ({}) as WebhookStats),
    context.api.get<{ deliveries: DeliveryAttempt[] }>(`${apiPath('webhooks', name, 'deliveries')}?limit=50`).catch(() => ({ deliveries: [] })),
  ]);
  const status = liveRegion();
  const testArea = liveRegion('test-area');

  const actions: HTMLElement[] = [];
  if (context.can.testWebhooks) {
    const test = h('button', { type: 'button', class: 'button primary', 'data-action': 'test' }, 'Test');
    test.addEventListener('click', async () => {
      test.disabled = true;
      testArea.replaceChildren(h('p', { class: 'loading' }, 'Sending a webhook.test event…'));
      try {
        const result = await context.api.post<TestResult>(apiPath('webhooks', name, 'test'));
        testArea.replaceChildren(testResultView(result));
      } catch (error) {
        testArea.replaceChildren(notice('error', `The test could not run: ${describeProblem(error)}`));
      } finally {
        test.disabled = false;
      }
    });
    actions.push(test);
  }
  if (context.can.editWebhooks && webhook.source !== 'file') actions.push(h('a', { class: 'button', href: href({ page: 'webhook-edit', name }) }, 'Edit'));
  const refresh = h('button', { type: 'button', class: 'button' }, 'Refresh');
  refresh.addEventListener('click', () => context.reload());
  actions.push(refresh);

  const series = minuteSeries(stats.perMinute ?? [], Date.now());
  const okDay = total(series.successes);
  const failedDay = total(series.failures);

  // One notification can have several attempts: the Retry button sits on its newest one, and only
  // once it failed for good (a pending one is retried by tocsin itself).
  const newestOfRow = new Set<number>();
  const seenRows = new Set<number>();
  for (const attempt of deliveries.deliveries) {
    if (attempt.outboxId === null || attempt.outboxId === undefined || seenRows.has(attempt.outboxId)) continue;
    seenRows.add(attempt.outboxId);
    newestOfRow.add(attempt.id);
  }
  const retryCell = (attempt: DeliveryAttempt): Child => {
    if (attempt.ok || !context.can.retryDeliveries || attempt.outboxId === null || attempt.outboxId === undefined) return null;
    if (!newestOfRow.has(attempt.id) || !RETRYABLE.has(attempt.status ?? '')) return null;
    const outboxId = attempt.outboxId;
    const button = h('button', { type: 'button', class: 'button small', 'data-action': 'retry', 'aria-label': `Retry delivery ${outboxId}` }, 'Retry');
    button.addEventListener('click', async () => {
      button.disabled = true;
      try {
        await context.api.post(apiPath('deliveries', String(outboxId), 'retry'));
        status.replaceChildren(notice('success', `Delivery ${outboxId} is queued again; refresh to see the new attempt.`));
      } catch (error) {
        button.disabled = false;
        status.replaceChildren(notice('error', `Retry refused: ${describeProblem(error)}`));
      }
    });
    return button;
  };

  const headers = Object.keys(webhook.headers ?? {});
  const backlog = backlogBadgeSpec(webhook);
  return h(
    'section',
    { class: 'page webhook-page' },
    h('p', { class: 'crumbs' }, h('a', { href: href({ page: 'webhooks' }) }, 'Webhooks'), ' / '),
    h('div', { class: 'page-head' },
      h('h1', null, name, ' ', enabledBadge(webhook.enabled), ' ', backlogBadge(webhook)),
      h('div', { class: 'toolbar' }, actions)),
    webhook.description ? h('p', { class: 'lede' }, webhook.description) : null,
    webhook.source === 'file' ? notice('info', `Defined in a configuration file${webhook.file ? ` (${webhook.file})` : ''}: change it there and reload.`) : null,
    backlog === null ? null : notice('warning',
      `Backlogged: ${backlog.title}. Notifications keep queueing until the global outbox budget (or are dropped, ` +
      "for a lossy webhook); see the deliveries below for the receiver's answers."),
    status,
    testArea,
    h(
      'div',
      { class: 'counters', role: 'group', 'aria-label': 'Invocation counters' },
      h('div', { class: 'counter ok' }, h('span', { class: 'counter-value', 'data-testid': 'successes' }, String(webhook.successes ?? stats.successes ?? 0)), h('span', { class: 'counter-label' }, 'successful')),
      h('div', { class: 'counter bad' }, h('span', { class: 'counter-value', 'data-testid': 'failures' }, String(webhook.failures ?? stats.failures ?? 0)), h('span', { class: 'counter-label' }, 'failed')),
      h('div', { class: 'counter' },
        h('span', { class: 'counter-value', 'data-testid': 'queued' }, String(webhook.outboxDepth ?? 0)),
        h('span', { class: 'counter-label' }, `queued (limit ${webhook.outboxLimit ?? '?'})`)),
      h('div', { class: 'counter wide' }, h('span', { class: 'counter-label' }, 'last success'), h('span', null, formatTime(webhook.lastSuccessAt ?? stats.lastSuccessAt))),
      h('div', { class: 'counter wide' }, h('span', { class: 'counter-label' }, 'last failure'), h('span', null, formatTime(webhook.lastFailureAt ?? stats.lastFailureAt))),
    ),
    h('h2', null, 'Last 24 hours'),
    minuteChart(series, `Invocations per minute over the last 24 hours: ${okDay} successful, ${failedDay} failed.`),
    h('div', { class: 'columns' },
      h('div', null,
        h('h2', null, 'Settings'),
        definitionList([
          ['URL', h('span', { class: 'mono' }, webhook.url)],
          ['Events', describeEvents(webhook.events, webhook.events_policy)],
          ['Minimum severity', webhook.min_severity ?? 'info'],
          ['Rules', (webhook.rules ?? ['*']).includes('*') ? 'all rules' : (webhook.rules ?? []).join(', ')],
          ['Template', h('a', { href: href({ page: 'template', name: webhook.template ?? 'events' }) }, webhook.template ?? 'events')],
          ['Content type', webhook.content_type === 'form' ? 'form (application/x-www-form-urlencoded)' : 'json (application/json)'],
          ['Authentication', authSummary(webhook.auth)],
          ['Signature', webhook.signature?.type ?? 'none'],
          ['Custom headers', headers.length > 0 ? headers.join(', ') : 'none'],
          ['Template parameters', Object.keys(webhook.params ?? {}).join(', ') || 'none'],
        ]),
      ),
      h('div', null,
        h('h2', null, 'Delivery'),
        definitionList([
          ['Timeout', webhook.timeout ?? '30s'],
          ['Batch window', webhook.batch ?? 'off (one request per event)'],
          ['Discard after', webhook.discard_after ?? '5m'],
          ['Outbox limit', `${webhook.outboxLimit ?? '?'} notifications waiting (then backlogged)`],
          ['At the outbox limit', webhook.lossy ? 'drop oldest (lossy)' : 'keep queueing, up to the outbox budget'],
          ['TLS certificates', webhook.allow_invalid_certs ? 'any certificate accepted (testing only)' : 'verified'],
          ['Extra CA file', webhook.ca_file ?? 'none'],
        ]),
      ),
    ),
    h('h2', { id: 'attempts' }, 'Attempt log'),
    dataTable(
      'Delivery attempts, newest first',
      [
        { header: 'Time', cell: (a) => formatTime(a.time) },
        { header: 'Event', cell: (a) => h('span', { class: 'mono', title: a.eventId ?? '' }, a.eventType ?? (a.outboxId === null || a.outboxId === undefined ? 'test' : (a.eventId ?? '').slice(0, 13))) },
        { header: 'Result', cell: statusCell },
        { header: 'Latency', className: 'num', cell: (a) => formatLatency(a.latencyMs) },
        { header: 'Error', cell: (a) => errorText(a.error) ?? '' },
        { header: 'Response', className: 'response-cell', cell: responseCell },
        { header: h('span', { class: 'visually-hidden' }, 'Actions'), cell: retryCell },
      ],
      deliveries.deliveries,
      'No delivery attempts yet. Press Test, or wait for an event.',
      { rowClass: (a) => (a.ok ? 'attempt-ok' : 'attempt-failed') },
    ),
  );
}
