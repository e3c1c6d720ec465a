/**
 * Hash routes (`#/webhooks/ops-chat`): the server only has to serve one page, and the token never
 * appears in a URL (it lives in session storage).
 */
export type Route =
  | { page: 'webhooks' }
  | { page: 'webhook-new' }
  | { page: 'webhook'; name: string }
  | { page: 'webhook-edit'; name: string }
  | { page: 'templates' }
  | { page: 'template-new' }
  | { page: 'template'; name: string }
  | { page: 'alerts' }
  | { page: 'rules' }
  | { page: 'not-found'; path: string };

function decode(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '').replace(/^\/+/, '').replace(/\/+$/, '');
  const parts = path === '' ? [] : path.split('/');
  const [section, second, third] = parts;
  const name = second === undefined ? null : decode(second);
  if (parts.length === 0) return { page: 'webhooks' };
  if (section === 'webhooks') {
    if (parts.length === 1) return { page: 'webhooks' };
    if (parts.length === 2 && name) return { page: 'webhook', name };
    if (parts.length === 3 && name && third === 'edit') return { page: 'webhook-edit', name };
  }
  if (section === 'templates') {
    if (parts.length === 1) return { page: 'templates' };
    if (parts.length === 2 && name) return { page: 'template', name };
  }
  // Creation pages live outside /webhooks/ and /templates/ so no name can collide with them.
  if (section === 'new' && parts.length === 2 && second === 'webhook') return { page: 'webhook-new' };
  if (section === 'new' && parts.length === 2 && second === 'template') return { page: 'template-new' };
  if (section === 'alerts' && parts.length === 1) return { page: 'alerts' };
  if (section === 'rules' && parts.length === 1) return { page: 'rules' };
  return { page: 'not-found', path: `/${path}` };
}

export function href(route: Route): string {
  const enc = encodeURIComponent;
  switch (route.page) {
    case 'webhooks': return '#/webhooks';
    case 'webhook-new': return '#/new/webhook';
    case 'webhook': return `#/webhooks/${enc(route.name)}`;
    case 'webhook-edit': return `#/webhooks/${enc(route.name)}/edit`;
    case 'templates': return '#/templates';
    case 'template-new': return '#/new/template';
    case 'template': return `#/templates/${enc(route.name)}`;
    case 'alerts': return '#/alerts';
    case 'rules': return '#/rules';
    case 'not-found': return `#${route.path}`;
  }
}

/** The navigation section a route belongs to, for aria-current in the header. */
export function sectionOf(route: Route): 'webhooks' | 'templates' | 'alerts' | 'rules' | null {
  if (route.page.startsWith('webhook')) return 'webhooks';
  if (route.page.startsWith('template')) return 'templates';
  if (route.page === 'alerts') return 'alerts';
  if (route.page === 'rules') return 'rules';
  return null;
}
