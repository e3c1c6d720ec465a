/**
 * The webhooks list (Elastio/IBM seeds): name, event types, URL, enabled, success and failure
 * counts with a 24-hour sparkline; admins select rows and delete them after a confirmation.
 */
import { apiPath, describeProblem } from '../lib/api.js';
import type { PageContext } from '../lib/context.js';
import { h } from '../lib/dom.js';
import { href } from '../lib/router.js';
import { minuteSeries, total } from '../charts/series.js';
import { sparkline } from '../charts/render.js';
import { badge, enabledBadge } from '../components/badges.js';
import { confirmDialog } from '../components/dialog.js';
import { liveRegion, notice } from '../components/notice.js';
import { dataTable, type Column } from '../components/table.js';
import { backlogBadge } from './backlog.js';
import { describeEvents, type WebhookRow, type WebhookStats } from './types.js';

async function sparkCell(context: PageContext, name: string, cell: HTMLElement): Promise<void> {
  try {
    const stats = await context.api.get<WebhookStats>(`${apiPath('webhooks', name, 'stats')}?hours=24`);
    const series = minuteSeries(stats.perMinute ?? [], Date.now());
    const ok = total(series.successes);
    const failed = total(series.failures);
    cell.replaceChildren(sparkline(series, `Last 24 hours: ${ok} successful, ${failed} failed`));
  } catch {
    cell.replaceChildren(h('span', { class: 'muted' }, 'no data'));
  }
}

export async function webhooksPage(context: PageContext): Promise<HTMLElement> {
  context.title('Webhooks');
  const { webhooks } = await context.api.get<{ webhooks: WebhookRow[] }>('/api/v1/webhooks');
  const selected = new Set<string>();
  const status = liveRegion();
  const canDelete = context.can.editWebhooks;

  const deleteButton = h('button', { type: 'button', class: 'button danger', disabled: true, 'data-action': 'delete-selected' }, 'Delete selected');
  const updateDeleteButton = () => {
    deleteButton.disabled = selected.size === 0;
    deleteButton.textContent = selected.size === 0 ? 'Delete selected' : `Delete selected (${selected.size})`;
  };

  const checkboxes: HTMLInputElement[] = [];
  const selectable = webhooks.filter((w) => w.source !== 'file');
  const selectAll = h('input', { type: 'checkbox', 'aria-label': 'Select all webhooks defined through the API' });
  selectAll.disabled = selectable.length === 0;
  selectAll.addEventListener('change', () => {
    for (const box of checkboxes) {
      if (box.disabled) continue;
      box.checked = selectAll.checked;
      const name = box.dataset.name ?? '';
      if (box.checked) selected.add(name);
      else selected.delete(name);
    }
    updateDeleteButton();
  });

  const columns: Column<WebhookRow>[] = [];
  if (canDelete) {
    columns.push({
      header: selectAll,
      className: 'select',
      cell: (row) => {
        const fromFile = row.source === 'file';
        const box = h('input', { type: 'checkbox', 'data-name': row.name, 'aria-label': fromFile ? `${row.name} is defined in a file and cannot be deleted here` : `Select ${row.name}`, disabled: fromFile, title: fromFile ? 'Defined in a config file: edit the file to remove it' : null });
        box.addEventListener('change', () => {
          if (box.checked) selected.add(row.name);
          else selected.delete(row.name);
          selectAll.checked = selected.size > 0 && selected.size === selectable.length;
          updateDeleteButton();
        });
        checkboxes.push(box);
        return box;
      },
    });
  }
  columns.push(
    { header: 'Name', cell: (row) => h('a', { href: href({ page: 'webhook', name: row.name }) }, row.name) },
    { header: 'Events', cell: (row) => h('span', { class: 'events' }, describeEvents(row.events, row.events_policy)) },
    { header: 'URL', className: 'url', cell: (row) => h('span', { class: 'mono', title: row.url }, row.url) },
    { header: 'Status', cell: (row) => [enabledBadge(row.enabled), backlogBadge(row)] },
    { header: 'Successful', className: 'num', cell: (row) => h('span', { class: 'count-ok' }, String(row.successes ?? 0)) },
    { header: 'Failed', className: 'num', cell: (row) => h('span', { class: (row.failures ?? 0) > 0 ? 'count-bad' : null }, String(row.failures ?? 0)) },
    {
      header: 'Last 24 h',
      cell: (row) => {
        const cell = h('span', { class: 'spark-cell' }, '…');
        void sparkCell(context, row.name, cell);
        return cell;
      },
    },
    { header: 'Source', cell: (row) => (row.source === 'file' ? badge('file', 'muted') : badge('api', 'info')) },
  );

  deleteButton.addEventListener('click', async () => {
    const names = [...selected].sort();
    const ok = await confirmDialog({
      title: names.length === 1 ? 'Delete 1 webhook?' : `Delete ${names.length} webhooks?`,
      body: [
        h('p', null, 'These webhooks will stop receiving events at once. Pending deliveries to them are dropped. This cannot be undone.'),
        h('ul', { class: 'names' }, names.map((name) => h('li', null, h('strong', null, name)))),
      ],
      confirmLabel: names.length === 1 ? 'Delete webhook' : `Delete ${names.length} webhooks`,
      danger: true,
    });
    if (!ok) return;
    try {
      const result = await context.api.delete<{ deleted?: string[]; notFound?: string[]; warnings?: Array<{ message?: string }> }>('/api/v1/webhooks', { names });
      const deleted = result.deleted ?? [];
      const missing = result.notFound ?? [];
      const warnings = (result.warnings ?? []).map((w) => w.message).filter((m): m is string => typeof m === 'string');
      context.flash(warnings.length > 0 ? 'warning' : 'success', `Deleted ${deleted.join(', ') || 'nothing'}${missing.length > 0 ? `; already gone: ${missing.join(', ')}` : ''}.${warnings.length > 0 ? ` Warning: ${warnings.join('; ')}.` : ''}`);
      context.reload();
    } catch (error) {
      status.replaceChildren(notice('error', `Nothing was deleted: ${describeProblem(error)}`));
    }
  });

  const toolbar = h(
    'div',
    { class: 'toolbar' },
    context.can.editWebhooks ? h('a', { class: 'button primary', href: href({ page: 'webhook-new' }) }, 'New webhook') : null,
    canDelete ? deleteButton : null,
  );
  return h(
    'section',
    { class: 'page webhooks-page' },
    h('div', { class: 'page-head' }, h('h1', null, 'Webhooks'), toolbar),
    h('p', { class: 'lede' }, 'Where tocsin sends events. Counts are invocations since the webhook was created; the line shows the last 24 hours (green successful, red failed).'),
    status,
    dataTable('Webhooks', columns, webhooks, 'No webhooks yet.', { captionHidden: true }),
  );
}

