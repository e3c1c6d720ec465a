import { describe, expect, it } from 'vitest';
import { href, parseRoute, sectionOf, type Route } from '../../../src/console/lib/router.js';

describe('console routes live in the hash, never carrying the token', () => {
  it.each<[string, Route]>([
    ['', { page: 'webhooks' }],
    ['#/', { page: 'webhooks' }],
    ['#/webhooks', { page: 'webhooks' }],
    ['#/webhooks/', { page: 'webhooks' }],
    ['#/new/webhook', { page: 'webhook-new' }],
    ['#/webhooks/ops-chat', { page: 'webhook', name: 'ops-chat' }],
    ['#/webhooks/new', { page: 'webhook', name: 'new' }],
    ['#/webhooks/ops-chat/edit', { page: 'webhook-edit', name: 'ops-chat' }],
    ['#/webhooks/a%2Fb', { page: 'webhook', name: 'a/b' }],
    ['#/templates', { page: 'templates' }],
    ['#/new/template', { page: 'template-new' }],
    ['#/templates/chat.v2', { page: 'template', name: 'chat.v2' }],
    ['#/alerts', { page: 'alerts' }],
    ['#/rules', { page: 'rules' }],
    ['#/webhooks/%E0%A4%A', { page: 'not-found', path: '/webhooks/%E0%A4%A' }],
    ['#/elsewhere', { page: 'not-found', path: '/elsewhere' }],
    ['#/webhooks/x/y', { page: 'not-found', path: '/webhooks/x/y' }],
  ])('%s', (hash, route) => {
    expect(parseRoute(hash)).toEqual(route);
  });

  it.each<Route>([
    { page: 'webhooks' },
    { page: 'webhook-new' },
    { page: 'webhook', name: 'new' },
    { page: 'webhook', name: 'weird name/with?chars#' },
    { page: 'webhook-edit', name: 'ops-chat' },
    { page: 'templates' },
    { page: 'template-new' },
    { page: 'template', name: 'chat' },
    { page: 'alerts' },
    { page: 'rules' },
  ])('href and parseRoute round-trip %o', (route) => {
    expect(parseRoute(href(route))).toEqual(route);
  });

  it('puts each page under its navigation section', () => {
    expect(sectionOf({ page: 'webhook-edit', name: 'x' })).toBe('webhooks');
    expect(sectionOf({ page: 'template-new' })).toBe('templates');
    expect(sectionOf({ page: 'alerts' })).toBe('alerts');
    expect(sectionOf({ page: 'not-found', path: '/x' })).toBeNull();
  });
});
