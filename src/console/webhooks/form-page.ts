/**
 * Create and edit a webhook with every option of SPEC §6. The API validates; its errors (JSON
 * pointers) are shown next to the fields. Secrets are write-only. A live warning says when another
 * webhook already sends the same events with the same template to the same URL.
 */
import { EVENT_TYPES } from '../../model/event.js';
import { SEVERITIES } from '../../model/severity.js';
import { ApiProblem, apiPath } from '../lib/api.js';
import type { PageContext } from '../lib/context.js';
import { h, uid } from '../lib/dom.js';
import { href } from '../lib/router.js';
import { notice } from '../components/notice.js';
import { field, fieldGroup, FieldErrors, select, textInput } from '../components/fields.js';
import { pairsEditor } from './pairs-editor.js';
import { AUTH_TYPES, duplicatesOf, emptyForm, formFromWebhook, SIGNATURE_TYPES, webhookFromForm, type AuthType, type SignatureType, type WebhookForm } from './model.js';
import { fieldProblems } from './problems.js';
import { secretField } from './secret-field.js';
import type { WebhookRow } from './types.js';

const AUTH_LABELS: Record<AuthType, string> = { none: 'None', basic: 'Basic (user and password)', bearer: 'Bearer token', api_key: 'API key header' };
const SIGNATURE_LABELS: Record<SignatureType, string> = {
  none: 'None',
  axibase: 'Axibase (x-axi-signature: sha1=<hex HMAC-SHA1>)',
  'hmac-sha256': 'HMAC-SHA256 (X-Signature: base64)',
  'standard-webhooks': 'Standard Webhooks (webhook-signature v1)',
};

type TextKey = 'name' | 'url' | 'description' | 'timeout' | 'batch' | 'discardAfter' | 'caFile' | 'concurrency'
  | 'outboxLimit' | 'retryInitial' | 'retryMax' | 'authUser' | 'apiKeyHeader';

function text(
  form: WebhookForm, key: TextKey, attrs: Record<string, string | boolean | null> = {}, onChange?: () => void,
): HTMLInputElement {
  const input = textInput(attrs);
  input.value = form[key];
  input.addEventListener('input', () => {
    form[key] = input.value;
    onChange?.();
  });
  return input;
}

function checkbox(checked: boolean, onChange: (checked: boolean) => void, attrs: Record<string, string> = {}): HTMLInputElement {
  const box = h('input', { type: 'checkbox', ...attrs });
  box.checked = checked;
  box.addEventListener('change', () => onChange(box.checked));
  return box;
}

export async function webhookFormPage(context: PageContext, name: string | null): Promise<HTMLElement> {
  context.title(name ? `Edit ${name}` : 'New webhook');
  if (!context.can.editWebhooks) {
    return h('section', { class: 'page' }, h('h1', null, name ? `Edit ${name}` : 'New webhook'), notice('info', `Your role (${context.me.role}) cannot change webhooks; an admin can.`));
  }
  const [existing, list, templates, rules] = await Promise.all([
    name ? context.api.get<WebhookRow & Record<string, unknown>>(apiPath('webhooks', name)) : Promise.resolve(null),
    context.api.get<{ webhooks: WebhookRow[] }>('/api/v1/webhooks'),
    context.api.get<{ templates: Array<{ name: string; source?: string }> }>('/api/v1/templates').catch(() => ({ templates: [] })),
    context.api.get<{ rules: Array<{ name: string }> }>('/api/v1/rules').catch(() => ({ rules: [] })),
  ]);
  if (existing?.source === 'file') {
    return h('section', { class: 'page' }, h('h1', null, `Edit ${name}`), notice('info', 'This webhook is defined in a configuration file; change the file and reload the configuration.'));
  }
  const form = existing ? formFromWebhook(existing) : emptyForm();
  const errors = new FieldErrors();

  // --- Target
  const duplicateWarning = h('div', { class: 'duplicate-warning', 'aria-live': 'polite' });
  const checkDuplicates = () => {
    const copies = duplicatesOf(form, list.webhooks, name);
    duplicateWarning.replaceChildren(
      copies.length > 0 ? notice('warning', `${copies.length === 1 ? 'Another webhook' : 'Other webhooks'} (${copies.join(', ')}) already ${copies.length === 1 ? 'sends' : 'send'} the same events with the same template to this URL; receivers would get every event twice.`) : '',
    );
  };
  const nameInput = text(form, 'name', { required: true, pattern: '[A-Za-z0-9][A-Za-z0-9_.\\-]*', maxlength: '64', readonly: name !== null });
  const urlInput = text(form, 'url', { type: 'url', required: true, placeholder: 'https://chat.example.com/hooks/…', inputmode: 'url' }, checkDuplicates);
  const enabled = checkbox(form.enabled, (v) => (form.enabled = v));
  const target = h(
    'fieldset',
    { class: 'form-section' },
    h('legend', null, 'Target'),
    field({ label: 'Name', control: nameInput, pointer: '/name', errors, help: name ? 'The name cannot change; rules refer to it.' : 'Letters, digits, dot, dash and underscore; rules refer to it in notify:.' }),
    field({ label: 'URL', control: urlInput, pointer: '/url', errors, help: 'Receives POST requests. Put credentials under Authentication, not in the URL.' }),
    duplicateWarning,
    field({ label: 'Description', control: text(form, 'description'), pointer: '/description', errors }),
    field({ label: 'Enabled', control: enabled, pointer: '/enabled', errors }),
  );

  // --- Events
  const eventBoxes = EVENT_TYPES.map((type) =>
    field({
      label: type,
      control: checkbox(form.events.includes(type), (checked) => {
        form.events = checked ? [...new Set([...form.events, type])] : form.events.filter((e) => e !== type);
        checkDuplicates();
      }, { 'data-event': type }),
    }),
  );
  const eventList = h('div', { class: 'check-grid', hidden: form.allEvents }, eventBoxes);
  const allEvents = checkbox(form.allEvents, (checked) => {
    form.allEvents = checked;
    eventList.hidden = checked;
    checkDuplicates();
  });
  const policyName = uid('policy');
  const policy = (value: 'include' | 'exclude', label: string) => {
    const radio = h('input', { type: 'radio', name: policyName, value });
    radio.checked = form.eventsPolicy === value;
    radio.addEventListener('change', () => radio.checked && (form.eventsPolicy = value));
    return field({ label, control: radio });
  };
  const severity = select(SEVERITIES.map((s) => [s, s] as const), form.minSeverity);
  severity.addEventListener('change', () => (form.minSeverity = severity.value));
  const ruleBoxes = rules.rules.map((rule) =>
    field({ label: rule.name, control: checkbox(form.rules.includes(rule.name), (checked) => (form.rules = checked ? [...new Set([...form.rules, rule.name])] : form.rules.filter((r) => r !== rule.name))) }),
  );
  // Names selected before a rule was removed stay listed, so saving does not drop them silently.
  for (const missing of form.rules.filter((r) => !rules.rules.some((rule) => rule.name === r))) {
    ruleBoxes.push(field({ label: `${missing} (no such rule now)`, control: checkbox(true, (checked) => (form.rules = checked ? [...new Set([...form.rules, missing])] : form.rules.filter((r) => r !== missing))) }));
  }
  const ruleList = h('div', { class: 'check-grid', hidden: form.allRules }, ruleBoxes.length > 0 ? ruleBoxes : h('p', { class: 'muted' }, 'No rules are loaded.'));
  const allRules = checkbox(form.allRules, (checked) => {
    form.allRules = checked;
    ruleList.hidden = checked;
  });
  const events = h(
    'fieldset',
    { class: 'form-section' },
    h('legend', null, 'Events'),
    fieldGroup({ legend: 'Event types', pointer: '/events', errors, children: [field({ label: 'All event types (*)', control: allEvents }), eventList] }),
    fieldGroup({ legend: 'The selected types are', pointer: '/events_policy', errors, className: 'inline', children: [policy('include', 'included (only these are sent)'), policy('exclude', 'excluded (everything else is sent)')] }),
    field({ label: 'Minimum severity', control: severity, pointer: '/min_severity', errors, help: 'Events below this severity are not sent.' }),
    fieldGroup({ legend: 'Rules', pointer: '/rules', errors, help: 'Alerts of rules that name webhooks in notify: go to those webhooks only.', children: [field({ label: 'All rules (*)', control: allRules }), ruleList] }),
  );

  // --- Payload
  const templateNames = [...new Set([...templates.templates.map((t) => t.name), form.template])].sort();
  const sourceOf = new Map(templates.templates.map((t) => [t.name, t.source ?? '']));
  const template = select(templateNames.map((t) => [t, sourceOf.get(t) === 'preset' ? `${t} (preset)` : t] as const), form.template);
  template.addEventListener('change', () => {
    form.template = template.value;
    checkDuplicates();
  });
  const contentType = select([['json', 'JSON (application/json)'], ['form', 'Form (application/x-www-form-urlencoded)']], form.contentType);
  contentType.addEventListener('change', () => (form.contentType = contentType.value === 'form' ? 'form' : 'json'));
  const payload = h(
    'fieldset',
    { class: 'form-section' },
    h('legend', null, 'Payload'),
    field({ label: 'Template', control: template, pointer: '/template', errors, help: h('span', null, 'The body sent for each event. ', h('a', { href: href({ page: 'templates' }) }, 'Manage templates'), '.') }),
    field({ label: 'Content type', control: contentType, pointer: '/content_type', errors }),
    fieldGroup({ legend: 'Custom headers', pointer: '/headers', errors, children: pairsEditor({ rows: form.headers, noun: 'Header', namePlaceholder: 'X-Team', valuePlaceholder: 'infra' }) }),
    fieldGroup({ legend: 'Template parameters', pointer: '/params', errors, help: h('span', null, 'Read by templates as ', h('code', null, '#params.NAME'), ' (e.g. the pagerduty preset\'s routing_key). Part of the body: not secret.'), children: pairsEditor({ rows: form.params, noun: 'Param', namePlaceholder: 'routing_key', valuePlaceholder: 'value' }) }),
  );

  // --- Authentication and signature
  const authType = select(AUTH_TYPES.map((t) => [t, AUTH_LABELS[t]] as const), form.authType);
  const basic = h('div', { class: 'auth-fields', 'data-auth': 'basic' }, field({ label: 'User', control: text(form, 'authUser'), pointer: '/auth/user', errors }), secretField({ label: 'Password', secret: form.authPassword, pointer: '/auth/password', errors }));
  const bearer = h('div', { class: 'auth-fields', 'data-auth': 'bearer' }, secretField({ label: 'Token', secret: form.authToken, pointer: '/auth/token', errors }));
  const apiKey = h('div', { class: 'auth-fields', 'data-auth': 'api_key' }, field({ label: 'Header name', control: text(form, 'apiKeyHeader', { placeholder: 'X-API-Key' }), pointer: '/auth/header', errors }), secretField({ label: 'Key', secret: form.apiKeyValue, pointer: '/auth/value', errors }));
  const showAuth = () => {
    basic.hidden = form.authType !== 'basic';
    bearer.hidden = form.authType !== 'bearer';
    apiKey.hidden = form.authType !== 'api_key';
  };
  authType.addEventListener('change', () => {
    form.authType = authType.value as AuthType;
    showAuth();
  });
  showAuth();
  const signatureType = select(SIGNATURE_TYPES.map((t) => [t, SIGNATURE_LABELS[t]] as const), form.signatureType);
  const signatureSecret = h('div', { class: 'auth-fields' }, secretField({ label: 'Signing secret', secret: form.signatureSecret, pointer: '/signature/secret', errors }));
  const showSignature = () => (signatureSecret.hidden = form.signatureType === 'none');
  signatureType.addEventListener('change', () => {
    form.signatureType = signatureType.value as SignatureType;
    showSignature();
  });
  showSignature();
  const security = h(
    'fieldset',
    { class: 'form-section' },
    h('legend', null, 'Authentication and signature'),
    field({ label: 'Authentication', control: authType, pointer: '/auth', errors, help: 'Values are at most 255 bytes of printable ASCII. Secrets are write-only.' }),
    basic,
    bearer,
    apiKey,
    field({ label: 'Signature', control: signatureType, pointer: '/signature', errors }),
    signatureSecret,
  );

  // --- Delivery
  const durationHelp = (what: string) => `${what} — e.g. 250ms, 30s, 5m, 1h30m.`;
  const delivery = h(
    'fieldset',
    { class: 'form-section' },
    h('legend', null, 'Delivery'),
    h('div', { class: 'grid-3' },
      field({ label: 'Timeout', control: text(form, 'timeout', { placeholder: '30s' }), pointer: '/timeout', errors, help: durationHelp('Per request') }),
      field({ label: 'Batch window', control: text(form, 'batch', { placeholder: 'off' }), pointer: '/batch', errors, help: durationHelp('Empty: one request per event; else events due within it go as one {"events": […]} body') }),
      field({ label: 'Discard after', control: text(form, 'discardAfter', { placeholder: '5m' }), pointer: '/discard_after', errors, help: durationHelp('Stop retrying and emit delivery.failed') }),
      field({ label: 'Concurrency', control: text(form, 'concurrency', { inputmode: 'numeric', placeholder: '16' }), pointer: '/concurrency', errors, help: 'Requests in flight at most (1–64).' }),
      field({ label: 'First retry after', control: text(form, 'retryInitial', { placeholder: '1s' }), pointer: '/retry/initial', errors, help: durationHelp('Doubles per attempt') }),
      field({ label: 'Longest retry wait', control: text(form, 'retryMax', { placeholder: '1m' }), pointer: '/retry/max', errors, help: durationHelp('Cap of the backoff') }),
    ),
    field({
      label: 'Outbox limit',
      control: text(form, 'outboxLimit', { inputmode: 'numeric', placeholder: '10000' }),
      pointer: '/outbox_limit',
      errors,
      help: 'Notifications waiting at which the webhook is backlogged (a badge and a delivery.backlog event). '
        + 'They keep queueing until the global outbox budget, unless lossy.',
    }),
    field({
      label: 'Lossy: at the outbox limit, drop the oldest notifications (each a delivery.failed) instead of queueing',
      control: checkbox(form.lossy, (v) => (form.lossy = v)),
      pointer: '/lossy',
      errors,
    }),
    field({ label: 'Allow invalid TLS certificates (testing only)', control: checkbox(form.allowInvalidCerts, (v) => (form.allowInvalidCerts = v)), pointer: '/allow_invalid_certs', errors }),
    field({ label: 'Extra CA file (PEM, on the server)', control: text(form, 'caFile', { placeholder: 'certs/internal-ca.pem' }), pointer: '/ca_file', errors }),
  );

  const save = h('button', { type: 'submit', class: 'button primary' }, name ? 'Save changes' : 'Create webhook');
  const cancel = h('a', { class: 'button', href: name ? href({ page: 'webhook', name }) : href({ page: 'webhooks' }) }, 'Cancel');
  const element = h(
    'form',
    { class: 'webhook-form', novalidate: true },
    errors.summary,
    target,
    events,
    payload,
    security,
    delivery,
    h('div', { class: 'form-actions' }, save, cancel),
  );
  element.addEventListener('submit', async (event) => {
    event.preventDefault();
    save.disabled = true;
    errors.clear();
    const body = webhookFromForm(form);
    try {
      const saved = name
        ? await context.api.put<{ warnings?: unknown[] }>(apiPath('webhooks', name), body)
        : await context.api.post<{ warnings?: unknown[] }>('/api/v1/webhooks', body);
      const warnings = (saved?.warnings ?? []).map((w) => (typeof w === 'string' ? w : typeof (w as { message?: unknown }).message === 'string' ? (w as { message: string }).message : JSON.stringify(w)));
      context.flash(warnings.length > 0 ? 'warning' : 'success', `Webhook ${form.name.trim()} ${name ? 'saved' : 'created'}.${warnings.length > 0 ? ` Warning: ${warnings.join(' ')}` : ''}`);
      context.navigate({ page: 'webhook', name: form.name.trim() });
    } catch (error) {
      save.disabled = false;
      if (error instanceof ApiProblem) {
        const problems = fieldProblems(error.details);
        errors.show(problems.length > 0 ? problems : [{ pointer: '', message: error.message, ...(error.hint ? { hint: error.hint } : {}) }], name ? 'The changes were not saved' : 'The webhook was not created');
      } else {
        errors.show([{ pointer: '', message: (error as Error).message }], 'The webhook was not saved');
      }
    }
  });
  checkDuplicates();
  return h(
    'section',
    { class: 'page webhook-form-page' },
    h('p', { class: 'crumbs' }, h('a', { href: href({ page: 'webhooks' }) }, 'Webhooks'), ' / ', name ? h('a', { href: href({ page: 'webhook', name }) }, name) : null),
    h('h1', null, name ? `Edit ${name}` : 'New webhook'),
    element,
  );
}
