/**
 * The console's shell: sign-in, the header with navigation and the signed-in role, and the hash
 * router that renders one page at a time into <main>.
 */
import './styles.css';
import { Api, describeProblem } from './lib/api.js';
import type { PageContext } from './lib/context.js';
import { h, mount } from './lib/dom.js';
import { capabilities } from './lib/permissions.js';
import { href, parseRoute, sectionOf, type Route } from './lib/router.js';
import { forgetToken, storedToken, storeToken, whoAmI, type Me } from './lib/session.js';
import { notice, type NoticeKind } from './components/notice.js';
import { signInPage } from './signin.js';
import { webhooksPage } from './webhooks/list-page.js';
import { webhookPage } from './webhooks/detail-page.js';
import { webhookFormPage } from './webhooks/form-page.js';
import { templatesPage } from './templates/list-page.js';
import { templatePage } from './templates/editor-page.js';
import { alertsPage } from './alerts/page.js';
import { rulesPage } from './rules/page.js';

const root = document.getElementById('app') as HTMLElement;
let flashed: { kind: NoticeKind; text: string } | null = null;
let renderCount = 0;

function signOut(message?: string): void {
  forgetToken();
  // The old pages must not render again with the forgotten token's client.
  window.onhashchange = null;
  renderCount += 1;
  showSignIn(message);
}

function showSignIn(message?: string): void {
  document.title = 'Sign in · tocsin';
  mount(root, signInPage({
    message,
    signIn: async (token) => {
      const me = await whoAmI(token);
      storeToken(token);
      // Land on the list, whatever the address bar said before.
      if (parseRoute(location.hash).page === 'not-found') location.hash = href({ page: 'webhooks' });
      showApp(token, me);
    },
  }));
}

function pageFor(route: Route, context: PageContext): Promise<HTMLElement> {
  switch (route.page) {
    case 'webhooks': return webhooksPage(context);
    case 'webhook-new': return webhookFormPage(context, null);
    case 'webhook': return webhookPage(context, route.name);
    case 'webhook-edit': return webhookFormPage(context, route.name);
    case 'templates': return templatesPage(context);
    case 'template-new': return templatePage(context, null);
    case 'template': return templatePage(context, route.name);
    case 'alerts': return alertsPage(context);
    case 'rules': return rulesPage(context);
    case 'not-found':
      return Promise.resolve(h('section', null, h('h1', null, 'Page not found'), h('p', null, `Nothing lives at ${route.path}. `, h('a', { href: href({ page: 'webhooks' }) }, 'Go to the webhooks'), '.')));
  }
}

function header(me: Me, current: Route): HTMLElement {
  const section = sectionOf(current);
  const link = (name: 'webhooks' | 'templates' | 'alerts' | 'rules', label: string) =>
    h('li', null, h('a', { href: href({ page: name }), 'aria-current': section === name ? 'page' : null }, label));
  const signOutButton = h('button', { type: 'button', class: 'button small' }, 'Sign out');
  signOutButton.addEventListener('click', () => signOut('You signed out.'));
  return h(
    'header',
    { class: 'top' },
    h('a', { class: 'brand', href: href({ page: 'webhooks' }) }, 'tocsin'),
    h('nav', { 'aria-label': 'Main' }, h('ul', null, link('webhooks', 'Webhooks'), link('templates', 'Templates'), link('alerts', 'Alerts'), link('rules', 'Rules'))),
    h('div', { class: 'who' }, h('span', { class: 'who-name' }, me.name || 'token'), ' ', h('span', { class: `role role-${me.role}`, 'data-role': me.role }, me.role), ' ', signOutButton),
  );
}

function showApp(token: string, me: Me): void {
  const api = new Api(token, () => signOut('The token was refused (revoked or expired). Sign in again.'));
  const main = h('main', { id: 'main', tabindex: '-1' });
  const shell = h('div', { class: 'shell' });
  const context: PageContext = {
    api,
    me,
    can: capabilities(me.permissions),
    navigate: (route) => {
      const target = href(route);
      if (location.hash === target) void render();
      else location.hash = target;
    },
    reload: () => void render(),
    flash: (kind, text) => {
      flashed = { kind, text };
    },
    title: (text) => {
      document.title = `${text} · tocsin`;
    },
  };

  async function render(): Promise<void> {
    const route = parseRoute(location.hash);
    const current = (renderCount += 1);
    // The hash is the router's: the skip link moves focus itself instead of navigating to #main.
    const skip = h('a', { class: 'skip', href: '#main' }, 'Skip to content');
    skip.addEventListener('click', (event) => {
      event.preventDefault();
      main.focus();
    });
    mount(shell, skip, header(me, route), main);
    mount(main, h('p', { class: 'loading', role: 'status' }, 'Loading…'));
    const message = flashed;
    flashed = null;
    try {
      const page = await pageFor(route, context);
      // A newer navigation finished first: drop this stale page.
      if (current !== renderCount) return;
      mount(main, message ? notice(message.kind, message.text) : null, page);
    } catch (error) {
      if (current !== renderCount) return;
      mount(main, notice('error', `This page could not be loaded: ${describeProblem(error)}`));
    }
    main.focus({ preventScroll: true });
  }
  window.onhashchange = () => void render();
  mount(root, shell);
  void render();
}

async function start(): Promise<void> {
  const token = storedToken();
  if (!token) return showSignIn();
  try {
    showApp(token, await whoAmI(token));
  } catch (error) {
    signOut(describeProblem(error));
  }
}

void start();
