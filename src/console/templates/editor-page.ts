/**
 * View or edit one template: the JSON editor with `#variable` completion for the event types it
 * serves, diagnostics from the API painted into the text (line and column), and a live preview of
 * the rendered body for a sample event. Only admins can save; everyone can preview.
 */
import { ALERT_EVENT_TYPES, EVENT_TYPES } from '../../model/event.js';
import { ApiProblem, apiPath, describeProblem } from '../lib/api.js';
import type { PageContext } from '../lib/context.js';
import { h, uid } from '../lib/dom.js';
import { href } from '../lib/router.js';
import { confirmDialog } from '../components/dialog.js';
import { field, fieldGroup, FieldErrors, select, textInput } from '../components/fields.js';
import { liveRegion, notice } from '../components/notice.js';
import { variablesFrom, type Variable } from './autocomplete.js';
import { codeEditor } from './code-editor.js';
import { templateDiagnostics, type TemplateDiagnostic } from './positions.js';
import { fieldProblems } from '../webhooks/problems.js';

interface TemplateDetail {
  name: string;
  source?: 'file' | 'api' | 'preset';
  text?: string;
  events?: string[];
  description?: string;
  /** Presets: one body per group of event types. */
  variants?: Array<{ events: string[]; text: string }>;
}

interface Preview {
  body?: string;
  contentType?: string;
  headers?: Record<string, string>;
  diagnostics?: unknown[];
}

const STARTER = '{\n  "text": "#rule_name is #status on #entity (value #value)",\n  "severity": "#severity",\n  "since": "#open_time",\n  "labels": "#labels"\n}\n';

function prettyBody(body: string, contentType: string | undefined): string {
  if (contentType && !contentType.includes('json')) return body;
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}

function diagnosticLine(d: TemplateDiagnostic): string {
  return `Line ${d.line}, column ${d.column}: ${d.message}${d.hint ? ` — ${d.hint}` : ''}`;
}

export async function templatePage(context: PageContext, name: string | null): Promise<HTMLElement> {
  context.title(name ?? 'New template');
  const existing = name ? await context.api.get<TemplateDetail>(apiPath('templates', name)) : null;
  const editable = context.can.editTemplates && (existing === null || existing.source === 'api');
  const variableCache = new Map<string, Promise<Variable[]>>();
  const variablesFor = (type: string) => {
    let cached = variableCache.get(type);
    if (!cached) {
      cached = context.api.get<unknown>(`/api/v1/templates/variables?event=${encodeURIComponent(type)}`).then(variablesFrom, () => []);
      variableCache.set(type, cached);
    }
    return cached;
  };

  let events = existing?.events && existing.events.length > 0 ? [...existing.events] : [...ALERT_EVENT_TYPES];
  const errors = new FieldErrors();
  const diagnosticsId = uid('diagnostics');
  const diagnosticsList = h('ul', { class: 'diagnostics', id: diagnosticsId, 'aria-live': 'polite', 'data-testid': 'diagnostics' });
  const editor = codeEditor({ value: existing?.text ?? STARTER, readOnly: !editable, describedBy: diagnosticsId });

  const showDiagnostics = (list: TemplateDiagnostic[], origin: string) => {
    editor.setDiagnostics(list);
    diagnosticsList.replaceChildren(
      ...list.map((d) => {
        const go = h('button', { type: 'button', class: 'link-button diagnostic', 'data-line': String(d.line), 'data-column': String(d.column) }, diagnosticLine(d));
        go.addEventListener('click', () => editor.reveal(d.line, d.column));
        return h('li', { class: d.severity === 'warning' ? 'warning' : 'error' }, go);
      }),
    );
    diagnosticsList.dataset.origin = origin;
  };

  // --- Variables for completion: the names every served event type knows.
  const refreshVariables = async () => {
    const types = events.length > 0 ? events : ['alert.open'];
    const lists = await Promise.all(types.map(variablesFor));
    const [first, ...rest] = lists;
    const common = (first ?? []).filter((v) => rest.every((list) => list.some((other) => other.name === v.name)));
    editor.setVariables(common);
    variableCount.textContent = `${common.length} variables available: type # to complete (Ctrl+Space to reopen).`;
  };
  const variableCount = h('span', null);

  // --- Preview
  const previewEvent = select(events.map((e) => [e, e] as const), events[0] ?? 'alert.open');
  const previewType = select([['json', 'JSON'], ['form', 'Form']], 'json');
  const previewOut = h('div', { class: 'preview-out', 'aria-live': 'polite', 'data-testid': 'preview' });
  let previewTimer: ReturnType<typeof setTimeout> | undefined;
  let previewSeq = 0;
  const runPreview = async () => {
    const seq = (previewSeq += 1);
    // Presets and file templates are shown as stored: preview them by name, so a preset with one
    // body per event group renders the right one. Edited text is previewed as text.
    const byName = name !== null && existing !== null && existing.source !== 'api' && editor.value() === (existing.text ?? '');
    const request = { ...(byName ? { template: name } : { text: editor.value() }), event: previewEvent.value, content_type: previewType.value };
    try {
      const result = await context.api.post<Preview>('/api/v1/templates/preview', request);
      if (seq !== previewSeq) return;
      const diagnostics = templateDiagnostics(result.diagnostics ?? []);
      showDiagnostics(diagnostics, 'preview');
      previewOut.replaceChildren(
        result.body === undefined || result.body === null
          ? notice(diagnostics.length > 0 ? 'error' : 'info', diagnostics.length > 0 ? 'Fix the problems above to see the body.' : 'Nothing rendered.')
          : h('div', null,
              h('p', { class: 'preview-meta' }, `Content-Type: ${result.contentType ?? 'application/json'}`),
              result.headers && Object.keys(result.headers).length > 0 ? h('pre', { class: 'headers' }, Object.entries(result.headers).map(([k, v]) => `${k}: ${v}`).join('\n')) : null,
              h('pre', { class: 'body preview-body' }, prettyBody(result.body, result.contentType))),
      );
    } catch (error) {
      if (seq !== previewSeq) return;
      const diagnostics = error instanceof ApiProblem ? templateDiagnostics(error.body) : [];
      if (diagnostics.length > 0) {
        showDiagnostics(diagnostics, 'preview');
        previewOut.replaceChildren(notice('error', 'Fix the problems above to see the body.'));
      } else {
        previewOut.replaceChildren(notice('error', `Preview failed: ${describeProblem(error)}`));
      }
    }
  };
  const schedulePreview = () => {
    clearTimeout(previewTimer);
    previewTimer = setTimeout(() => void runPreview(), 300);
  };
  editor.onChange(() => {
    // Positions of old diagnostics no longer fit the edited text; the preview checks it again.
    showDiagnostics([], 'edit');
    schedulePreview();
  });
  previewEvent.addEventListener('change', () => void runPreview());
  previewType.addEventListener('change', () => void runPreview());

  // --- Served events
  const eventGroup = fieldGroup({
    legend: 'Serves events',
    pointer: '/events',
    errors,
    className: 'check-grid-wrap',
    help: 'Every #variable must exist for each of these event types.',
    children: h('div', { class: 'check-grid' }, EVENT_TYPES.map((type) => {
      const box = h('input', { type: 'checkbox', 'data-event': type, disabled: !editable });
      box.checked = events.includes(type);
      box.addEventListener('change', () => {
        events = box.checked ? [...new Set([...events, type])] : events.filter((e) => e !== type);
        const current = previewEvent.value;
        previewEvent.replaceChildren(...events.map((e) => h('option', { value: e }, e)));
        previewEvent.value = events.includes(current) ? current : (events[0] ?? '');
        void refreshVariables();
        schedulePreview();
      });
      return field({ label: type, control: box });
    })),
  });

  const nameInput = textInput({ required: true, readonly: name !== null, pattern: '[A-Za-z0-9][A-Za-z0-9_.\\-]*' });
  const descriptionInput = textInput({ readonly: !editable });
  descriptionInput.value = existing?.description ?? '';
  nameInput.value = name ?? '';
  const status = liveRegion();
  const actions: HTMLElement[] = [];
  if (editable) {
    const save = h('button', { type: 'submit', class: 'button primary' }, name ? 'Save template' : 'Create template');
    actions.push(save);
    if (name) {
      const remove = h('button', { type: 'button', class: 'button danger' }, 'Delete');
      remove.addEventListener('click', async () => {
        const ok = await confirmDialog({ title: `Delete template ${name}?`, body: h('p', null, 'Webhooks that use it will fail to render until they name another template.'), confirmLabel: 'Delete template', danger: true });
        if (!ok) return;
        try {
          await context.api.delete('/api/v1/templates', { names: [name] });
          context.flash('success', `Template ${name} deleted.`);
          context.navigate({ page: 'templates' });
        } catch (error) {
          status.replaceChildren(notice('error', `Not deleted: ${describeProblem(error)}`));
        }
      });
      actions.push(remove);
    }
  }

  const formElement = h(
    'form',
    { class: 'template-form', novalidate: true },
    errors.summary,
    h('div', { class: 'grid-2' },
      field({ label: 'Name', control: nameInput, pointer: '/name', errors, help: name ? null : 'Letters, digits, dot, dash and underscore; not a preset name.' }),
      existing?.source ? h('p', { class: 'muted source-note' }, `Source: ${existing.source}${existing.source === 'file' ? ' (edit the file in the config directory)' : existing.source === 'preset' ? ' (built in)' : ''}`) : h('span'),
    ),
    field({ label: 'Description', control: descriptionInput, pointer: '/description', errors }),
    eventGroup,
    existing?.source === 'preset' && (existing.variants?.length ?? 0) > 1 ? notice('info', `This preset has ${existing.variants?.length ?? 0} bodies, one per group of event types; shown is the one for ${existing.variants?.[0]?.events.join(', ')}. The preview uses the right one for the sample event.`) : null,
    h('div', { class: 'editor-layout' },
      h('div', { class: 'editor-pane' },
        h('label', { for: editor.textarea.id, class: 'editor-label' }, 'Body (JSON with #variables)'),
        h('p', { class: 'help' }, variableCount),
        editor.element,
        h('h2', { class: 'diagnostics-title' }, 'Problems'),
        diagnosticsList,
      ),
      h('div', { class: 'preview-pane' },
        h('h2', null, 'Preview'),
        h('div', { class: 'grid-2' }, field({ label: 'Sample event', control: previewEvent }), field({ label: 'Encoding', control: previewType })),
        previewOut,
      ),
    ),
    status,
    actions.length > 0 ? h('div', { class: 'form-actions' }, actions) : null,
  );

  formElement.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!editable) return;
    errors.clear();
    const description = descriptionInput.value.trim();
    const body = { text: editor.value(), events, ...(description !== '' ? { description } : {}) };
    try {
      if (name) await context.api.put(apiPath('templates', name), body);
      else await context.api.post('/api/v1/templates', { name: nameInput.value.trim(), ...body });
      context.flash('success', `Template ${name ?? nameInput.value.trim()} saved.`);
      context.navigate({ page: 'template', name: name ?? nameInput.value.trim() });
    } catch (error) {
      const diagnostics = error instanceof ApiProblem ? templateDiagnostics(error.body) : [];
      if (diagnostics.length > 0) {
        showDiagnostics(diagnostics, 'save');
        status.replaceChildren(notice('error', `Not saved: ${diagnostics.length} problem${diagnostics.length === 1 ? '' : 's'} in the body (marked in the editor).`));
        return;
      }
      const problems = error instanceof ApiProblem ? fieldProblems(error.details) : [];
      errors.show(problems.length > 0 ? problems : [{ pointer: '', message: describeProblem(error) }], 'The template was not saved');
    }
  });

  void refreshVariables();
  void runPreview();
  return h(
    'section',
    { class: 'page template-page' },
    h('p', { class: 'crumbs' }, h('a', { href: href({ page: 'templates' }) }, 'Templates'), ' / '),
    h('h1', null, name ?? 'New template'),
    !editable && context.can.editTemplates === false ? notice('info', `Read-only: your role (${context.me.role}) can preview templates; an admin edits them.`) : null,
    formElement,
  );
}
