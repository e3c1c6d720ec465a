import { describe, expect, it } from 'vitest';
import { backlogBadgeSpec } from '../../../src/console/webhooks/backlog.js';
import { duplicatesOf, emptyForm, formFromWebhook, MASK, secretFromApi, secretToApi, webhookFromForm } from '../../../src/console/webhooks/model.js';

const masked = {
  name: 'ops-chat',
  url: 'https://chat.example.com/hooks/abc',
  description: 'Ops channel',
  enabled: false,
  events: ['alert.open', 'alert.cancel'],
  events_policy: 'exclude',
  min_severity: 'warning',
  rules: ['cpu-high'],
  template: 'slack',
  content_type: 'form',
  headers: { 'X-Team': 'infra' },
  params: { routing_key: 'R0UT1NG' },
  auth: { type: 'basic', user: 'ops', password: { value: MASK } },
  signature: { type: 'standard-webhooks', secret: { env: 'SIGNING_KEY' } },
  timeout: '10s',
  batch: '1s',
  discard_after: '15m',
  lossy: true,
  outbox_limit: 500,
  allow_invalid_certs: true,
  ca_file: 'certs/ca.pem',
  concurrency: 2,
  retry: { initial: '2s', max: '30s' },
  source: 'api',
  successes: 4,
};

describe('the webhook form edits every option of SPEC §6', () => {
  it('reads a masked webhook and writes the same webhook back, stored secrets as the mask', () => {
    const form = formFromWebhook(masked);
    expect(form.authPassword).toEqual({ source: 'value', text: '', stored: true });
    expect(form.signatureSecret).toEqual({ source: 'env', text: 'SIGNING_KEY', stored: false });
    const { source: _source, successes: _successes, ...definition } = masked;
    expect(webhookFromForm(form)).toEqual({ ...definition, auth: { type: 'basic', user: 'ops', password: MASK } });
  });

  it('sends a newly typed secret instead of the mask', () => {
    const form = formFromWebhook(masked);
    form.authPassword.text = 'n3w-pass';
    expect(webhookFromForm(form).auth).toEqual({ type: 'basic', user: 'ops', password: 'n3w-pass' });
  });

  it('leaves out a secret nobody typed, so the API names the missing field', () => {
    const form = emptyForm();
    form.authType = 'bearer';
    expect(webhookFromForm(form).auth).toEqual({ type: 'bearer' });
  });

  it.each([
    ['value', 's3cret', 's3cret'],
    ['env', 'CHAT_TOKEN', { env: 'CHAT_TOKEN' }],
    ['file', 'secrets/chat.key', { file: 'secrets/chat.key' }],
  ] as const)('a %s secret goes out as %o', (source, text, sent) => {
    expect(secretToApi({ source, text, stored: false })).toEqual(sent);
  });

  it.each([
    [MASK, { source: 'value', text: '', stored: true }],
    [{ value: MASK }, { source: 'value', text: '', stored: true }],
    [{ file: 'secrets/k' }, { source: 'file', text: 'secrets/k', stored: false }],
    [undefined, { source: 'value', text: '', stored: false }],
  ])('secret %o from the API is shown as %o (never the value)', (value, field) => {
    expect(secretFromApi(value)).toEqual(field);
  });

  it('uses the schema defaults for a new webhook and leaves empty optional fields out', () => {
    const form = emptyForm();
    form.name = ' hook ';
    form.url = 'http://127.0.0.1:9/x';
    form.batch = '';
    form.caFile = '';
    const body = webhookFromForm(form);
    expect(body).toMatchObject({ name: 'hook', url: 'http://127.0.0.1:9/x', events: ['alert.open', 'alert.cancel'], rules: ['*'], template: 'events', auth: { type: 'none' }, signature: { type: 'none' }, timeout: '30s', discard_after: '5m' });
    expect(body).not.toHaveProperty('batch');
    expect(body).not.toHaveProperty('ca_file');
  });

  it('"all events" and "all rules" become ["*"]', () => {
    const form = emptyForm();
    form.allEvents = true;
    form.allRules = true;
    expect(webhookFromForm(form)).toMatchObject({ events: ['*'], rules: ['*'] });
    expect(formFromWebhook({ events: ['*'], rules: ['*'] })).toMatchObject({ allEvents: true, events: [], allRules: true, rules: [] });
  });

  it('keeps a non-number concurrency as text, so the API points at the field', () => {
    const form = emptyForm();
    form.concurrency = 'many';
    expect(webhookFromForm(form).concurrency).toBe('many');
    form.concurrency = '8';
    expect(webhookFromForm(form).concurrency).toBe(8);
  });

  it('drops empty header and param rows and trims names', () => {
    const form = emptyForm();
    form.headers = [{ name: ' X-A ', value: '1' }, { name: '', value: '' }];
    form.params = [{ name: 'routing_key', value: 'k' }, { name: ' ', value: '' }];
    expect(webhookFromForm(form)).toMatchObject({ headers: { 'X-A': '1' }, params: { routing_key: 'k' } });
  });
});

describe('a warning names webhooks with the same URL, events and template', () => {
  const others = [
    { name: 'a', url: 'https://r.example.com/x', events: ['alert.cancel', 'alert.open'], template: 'slack' },
    { name: 'b', url: 'https://r.example.com/x', events: ['alert.open'], template: 'slack' },
    { name: 'c', url: 'https://R.example.com/x', events: ['alert.open', 'alert.cancel'], template: 'slack' },
    { name: 'd', url: 'https://r.example.com/x', events: ['alert.open', 'alert.cancel'], template: 'teams' },
  ];
  const form = () => ({ ...emptyForm(), url: 'https://r.example.com/x', events: ['alert.open', 'alert.cancel'], template: 'slack' });

  it('matches regardless of event order and host case', () => {
    expect(duplicatesOf(form(), others, null)).toEqual(['a', 'c']);
  });

  it('does not count the webhook being edited', () => {
    expect(duplicatesOf(form(), others, 'a')).toEqual(['c']);
  });

  it('says nothing before a URL is typed', () => {
    expect(duplicatesOf({ ...form(), url: ' ' }, others, null)).toEqual([]);
  });
});

describe('outbox limit and backlog', () => {
  it('round-trips outbox_limit, keeping a non-number as text so the API points at the field', () => {
    const form = formFromWebhook({ name: 'x', url: 'https://example.com', outbox_limit: 250 });
    expect(form.outboxLimit).toBe('250');
    expect(webhookFromForm(form).outbox_limit).toBe(250);
    form.outboxLimit = 'lots';
    expect(webhookFromForm(form).outbox_limit).toBe('lots');
    form.outboxLimit = '';
    expect(webhookFromForm(form)).not.toHaveProperty('outbox_limit');
  });

  it('shows a backlogged badge with depth, limit and since; none for a webhook that keeps up', () => {
    expect(backlogBadgeSpec({ backlogged: false, outboxDepth: 3, outboxLimit: 10 })).toBeNull();
    expect(backlogBadgeSpec({})).toBeNull();
    const since = '2026-12-07T10:00:00.000Z';
    expect(backlogBadgeSpec({ backlogged: true, outboxDepth: 12, outboxLimit: 10, backloggedSince: since })).toEqual({
      text: 'backlogged',
      tone: 'warn',
      title: `12 notifications waiting, limit 10 since ${since}: the receiver is down or slow`,
    });
  });
});
