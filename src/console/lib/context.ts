/** What every page gets: the API client, who is signed in, and navigation. */
import type { Api } from './api.js';
import type { Capabilities } from './permissions.js';
import type { Route } from './router.js';
import type { Me } from './session.js';
import type { NoticeKind } from '../components/notice.js';

export interface PageContext {
  api: Api;
  me: Me;
  can: Capabilities;
  navigate: (route: Route) => void;
  /** Renders the current page again (after a change made on it). */
  reload: () => void;
  /** A message shown at the top of the next page (e.g. "Webhook saved" after leaving the form). */
  flash: (kind: NoticeKind, text: string) => void;
  /** Sets the document title and the page's h1 text. */
  title: (text: string) => void;
}

export type Page = (context: PageContext) => Promise<HTMLElement>;
