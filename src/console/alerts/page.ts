/**
 * Alerts: open alerts (entity, rule, severity, value, duration) with acknowledge and silence for
 * operators, the recent history of transitions, and the silences.
 */
import { describeProblem } from '../lib/api.js';
import type { PageContext } from '../lib/context.js';
import { h, uid } from '../lib/dom.js';
import { formatDuration, formatTime, formatValue, secondsSince } from '../lib/format.js';
import { badge, severityBadge } from '../components/badges.js';
import { confirmDialog } from '../components/dialog.js';
import { liveRegion, notice } from '../components/notice.js';
import { dataTable } from '../components/table.js';
import { silenceForm } from './silence-form.js';
import { describeMatchers, entityKey, entityName, metricName, type AlertRow, type HistoryRow, type SilenceRow } from './types.js';

export async function alertsPage(context: PageContext): Promise<HTMLElement> {
  context.title('Alerts');
  const [alerts, history, silences] = await Promise.all([
    context.api.get<{ alerts: AlertRow[] }>('/api/v1/alerts'),
    context.api.get<{ history: HistoryRow[] }>('/api/v1/alerts/history?limit=50').catch(() => ({ history: [] })),
    context.api.get<{ silences: SilenceRow[] }>('/api/v1/silences').catch(() => ({ silences: [] })),
  ]);
  const now = Date.now();
  const status = liveRegion();
  const silencer = context.can.silence ? silenceForm(context, () => context.reload()) : null;
  const silenceDetails = silencer ? h('details', { class: 'silence-details' }, h('summary', null, 'New silence'), silencer.element) : null;

  const acknowledge = async (alert: AlertRow) => {
    const commentId = uid('ack-comment');
    const comment = h('textarea', { id: commentId, rows: 2 });
    const ok = await confirmDialog({
      title: `Acknowledge ${alert.rule} on ${entityName(alert.entity, alert.seriesKey)}?`,
      body: h('p', null, 'Repeats stop for this alert; it stays open until its condition clears.'),
      extra: h('div', { class: 'field' }, h('label', { for: commentId }, 'Comment (optional)'), comment),
      confirmLabel: 'Acknowledge',
    });
    if (!ok) return;
    try {
      await context.api.post(`/api/v1/alerts/${encodeURIComponent(alert.alertId)}/ack`, comment.value.trim() ? { comment: comment.value.trim() } : {});
      context.flash('success', `Acknowledged ${alert.rule} on ${entityName(alert.entity, alert.seriesKey)}.`);
      context.reload();
    } catch (error) {
      status.replaceChildren(notice('error', `Not acknowledged: ${describeProblem(error)}`));
    }
  };

  const actionsCell = (alert: AlertRow) => {
    const buttons: HTMLElement[] = [];
    if (context.can.acknowledge && !alert.acknowledged && alert.status !== 'pending') {
      const ack = h('button', { type: 'button', class: 'button small', 'data-action': 'ack' }, 'Acknowledge');
      ack.addEventListener('click', () => void acknowledge(alert));
      buttons.push(ack);
    }
    if (silencer) {
      const silence = h('button', { type: 'button', class: 'button small', 'data-action': 'silence' }, 'Silence…');
      silence.addEventListener('click', () => {
        if (silenceDetails) silenceDetails.open = true;
        silencer.prefill([{ name: 'rule', value: alert.rule, op: '=' }, { name: 'entity', value: entityKey(alert.entity, alert.seriesKey), op: '=' }]);
      });
      buttons.push(silence);
    }
    return buttons.length > 0 ? h('div', { class: 'row-actions' }, buttons) : null;
  };

  const selectedSilences = new Set<string>();
  const deleteSilences = h('button', { type: 'button', class: 'button danger small', disabled: true }, 'Delete selected silences');
  deleteSilences.addEventListener('click', async () => {
    const ids = [...selectedSilences];
    const ok = await confirmDialog({ title: `Delete ${ids.length} silence${ids.length === 1 ? '' : 's'}?`, body: h('p', null, 'Matching alerts notify again at once.'), confirmLabel: 'Delete', danger: true });
    if (!ok) return;
    try {
      await context.api.delete('/api/v1/silences', { ids });
      context.flash('success', `Deleted ${ids.length} silence${ids.length === 1 ? '' : 's'}.`);
      context.reload();
    } catch (error) {
      status.replaceChildren(notice('error', `Not deleted: ${describeProblem(error)}`));
    }
  });

  return h(
    'section',
    { class: 'page alerts-page' },
    h('h1', null, 'Alerts'),
    status,
    h('h2', null, `Open alerts (${alerts.alerts.length})`),
    dataTable(
      'Open alerts',
      [
        { header: 'Severity', cell: (a) => severityBadge(a.severity) },
        { header: 'Rule', cell: (a) => h('strong', null, a.rule) },
        { header: 'Entity', cell: (a) => entityName(a.entity, a.seriesKey) },
        { header: 'Metric', cell: (a) => h('span', { class: 'mono' }, metricName(a.metric)) },
        { header: 'Value', className: 'num', cell: (a) => formatValue(a.value) },
        { header: 'Status', cell: (a) => [badge(a.status ?? 'open', a.status === 'pending' ? 'warn' : a.status === 'nodata' ? 'muted' : 'bad'), a.acknowledged ? [' ', badge('acknowledged', 'info')] : null] },
        { header: 'Open for', cell: (a) => formatDuration(a.duration ?? secondsSince(a.openTime, now)) },
        { header: 'Since', cell: (a) => formatTime(a.openTime) },
        { header: h('span', { class: 'visually-hidden' }, 'Actions'), cell: actionsCell },
      ],
      alerts.alerts,
      'No open alerts. All quiet.',
      { captionHidden: true, rowClass: (a) => `alert-row severity-row-${a.severity ?? 'unknown'}` },
    ),
    h('h2', null, 'Silences'),
    dataTable(
      'Silences',
      [
        ...(context.can.silence
          ? [{
              header: h('span', { class: 'visually-hidden' }, 'Select'),
              cell: (s: SilenceRow) => {
                const box = h('input', { type: 'checkbox', 'aria-label': `Select silence ${describeMatchers(s.matchers)}` });
                box.addEventListener('change', () => {
                  if (box.checked) selectedSilences.add(s.id);
                  else selectedSilences.delete(s.id);
                  deleteSilences.disabled = selectedSilences.size === 0;
                });
                return box;
              },
            }]
          : []),
        { header: 'Matchers', cell: (s: SilenceRow) => h('span', { class: 'mono' }, describeMatchers(s.matchers)) },
        { header: 'From', cell: (s: SilenceRow) => formatTime(s.startsAt) },
        { header: 'Until', cell: (s: SilenceRow) => formatTime(s.endsAt) },
        { header: 'By', cell: (s: SilenceRow) => s.createdBy ?? '' },
        { header: 'Comment', cell: (s: SilenceRow) => s.comment ?? '' },
      ],
      silences.silences,
      'No silences.',
      { captionHidden: true },
    ),
    context.can.silence && silences.silences.length > 0 ? h('div', { class: 'toolbar' }, deleteSilences) : null,
    silenceDetails,
    h('h2', null, 'History'),
    dataTable(
      'Alert history, newest first',
      [
        { header: 'Time', cell: (r) => formatTime(r.time) },
        { header: 'Rule', cell: (r) => r.rule ?? '' },
        { header: 'Series', cell: (r) => h('span', { class: 'mono' }, r.seriesKey ?? '') },
        { header: 'Transition', cell: (r) => r.type ?? '' },
        { header: 'Value', className: 'num', cell: (r) => formatValue(r.value) },
      ],
      history.history,
      'No history yet.',
      { captionHidden: true },
    ),
  );
}
