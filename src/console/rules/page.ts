/**
 * Rules: read-only (they live in files), with their expressions, and a check of rule-file text
 * against the running server's parser (`POST /api/v1/rules/check`), diagnostics with line and column.
 */
import { describeProblem } from '../lib/api.js';
import type { PageContext } from '../lib/context.js';
import { h, type Child } from '../lib/dom.js';
import { formatTime } from '../lib/format.js';
import { severityBadge } from '../components/badges.js';
import { field, textInput } from '../components/fields.js';
import { notice } from '../components/notice.js';
import { dataTable } from '../components/table.js';
import { templateDiagnostics } from '../templates/positions.js';

interface RuleRow {
  name: string;
  file?: string;
  line?: number;
  metrics?: string[] | string;
  metric?: string[] | string;
  condition?: string;
  filter?: string | null;
  window?: string;
  severity?: string;
  for?: string | null;
  notify?: Array<{ webhook?: string } | string>;
  description?: string;
  activeAlerts?: number;
  enabled?: boolean;
}

interface CheckResult {
  ok?: boolean;
  diagnostics?: unknown[];
  formatted?: string;
}

const list = (value: unknown): string => (Array.isArray(value) ? value.map(String).join(', ') : typeof value === 'string' ? value : '');

function code(text: string | null | undefined): Child {
  return text ? h('code', { class: 'expr' }, text) : h('span', { class: 'muted' }, '—');
}

export async function rulesPage(context: PageContext): Promise<HTMLElement> {
  context.title('Rules');
  const { rules, loadedAt } = await context.api.get<{ rules: RuleRow[]; loadedAt?: unknown }>('/api/v1/rules');

  let checker: HTMLElement | null = null;
  if (context.can.checkRules) {
    const file = textInput({ value: 'rules/draft.yaml' });
    const text = h('textarea', { rows: 10, spellcheck: 'false', class: 'mono', placeholder: "rules:\n  - name: cpu-high\n    metric: cpu.usage_active\n    condition: avg('5 minute') > 80" });
    const out = h('div', { 'aria-live': 'polite', 'data-testid': 'check-result' });
    const run = h('button', { type: 'submit', class: 'button primary' }, 'Check');
    const form = h('form', { class: 'rules-check', novalidate: true }, field({ label: 'File name', control: file }), field({ label: 'Rule file (YAML)', control: text, help: 'Checked by the server with the running configuration; nothing is saved or loaded.' }), run, out);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      run.disabled = true;
      try {
        const result = await context.api.post<CheckResult>('/api/v1/rules/check', { files: [{ file: file.value.trim() || 'draft.yaml', text: text.value }] });
        const diagnostics = templateDiagnostics(result.diagnostics ?? []);
        out.replaceChildren(
          result.ok && diagnostics.length === 0 ? notice('success', 'No problems found.') : notice(result.ok ? 'warning' : 'error', `${diagnostics.length} problem${diagnostics.length === 1 ? '' : 's'} found.`),
          result.formatted ? h('pre', { class: 'diagnostics-text' }, result.formatted) : h('ul', null, diagnostics.map((d) => h('li', null, `Line ${d.line}, column ${d.column}: ${d.message}`))),
        );
      } catch (error) {
        out.replaceChildren(notice('error', `Check failed: ${describeProblem(error)}`));
      } finally {
        run.disabled = false;
      }
    });
    checker = h('details', { class: 'check-details' }, h('summary', null, 'Check a rule file'), form);
  }

  return h(
    'section',
    { class: 'page rules-page' },
    h('h1', null, 'Rules'),
    h('p', { class: 'lede' }, `${rules.length} rules loaded${loadedAt ? ` at ${formatTime(loadedAt)}` : ''}. Rules live in the configuration directory; change the files and reload.`),
    dataTable(
      'Rules',
      [
        { header: 'Name', cell: (r) => [h('strong', null, r.name), r.enabled === false ? [' ', h('span', { class: 'badge badge-muted' }, 'disabled')] : null, r.description ? h('div', { class: 'muted small' }, r.description) : null] },
        { header: 'Where', cell: (r) => h('span', { class: 'mono small' }, r.file ? `${r.file}${r.line ? `:${r.line}` : ''}` : '') },
        { header: 'Metric', cell: (r) => h('span', { class: 'mono' }, list(r.metrics ?? r.metric)) },
        { header: 'Condition', cell: (r) => [code(r.condition), r.filter ? h('div', { class: 'small' }, 'filter ', code(r.filter)) : null] },
        { header: 'Window', cell: (r) => h('span', { class: 'mono' }, r.window ?? '') },
        { header: 'For', cell: (r) => r.for ?? '—' },
        { header: 'Severity', cell: (r) => severityBadge(r.severity) },
        { header: 'Active alerts', className: 'num', cell: (r) => String(r.activeAlerts ?? 0) },
        { header: 'Notifies', cell: (r) => (r.notify && r.notify.length > 0 ? r.notify.map((n) => (typeof n === 'string' ? n : n.webhook ?? '')).join(', ') : 'all subscribed webhooks') },
      ],
      rules,
      'No rules are loaded.',
      { captionHidden: true },
    ),
    checker,
  );
}
