/** Templates: user templates (from files or the API) and the built-in presets. */
import type { PageContext } from '../lib/context.js';
import { h } from '../lib/dom.js';
import { href } from '../lib/router.js';
import { badge } from '../components/badges.js';
import { dataTable } from '../components/table.js';

interface TemplateRow {
  name: string;
  source?: 'file' | 'api' | 'preset';
  events?: string[];
  description?: string;
}

export async function templatesPage(context: PageContext): Promise<HTMLElement> {
  context.title('Templates');
  const { templates } = await context.api.get<{ templates: TemplateRow[] }>('/api/v1/templates');
  const sourceTone = (source: unknown) => (source === 'preset' ? 'muted' : source === 'file' ? 'info' : 'ok');
  return h(
    'section',
    { class: 'page templates-page' },
    h('div', { class: 'page-head' }, h('h1', null, 'Templates'), h('div', { class: 'toolbar' }, context.can.editTemplates ? h('a', { class: 'button primary', href: href({ page: 'template-new' }) }, 'New template') : null)),
    h('p', { class: 'lede' }, 'The JSON body a webhook receives, with #variables filled in for each event. Presets are built in and read-only.'),
    dataTable(
      'Templates',
      [
        { header: 'Name', cell: (t) => h('a', { href: href({ page: 'template', name: t.name }) }, t.name) },
        { header: 'Source', cell: (t) => badge(t.source ?? 'api', sourceTone(t.source)) },
        { header: 'Serves events', cell: (t) => (t.events && t.events.length > 0 ? t.events.join(', ') : 'all') },
        { header: 'Description', cell: (t) => t.description ?? '' },
      ],
      templates,
      'No templates.',
      { captionHidden: true },
    ),
  );
}
