import { describe, expect, it } from 'vitest';
import { TemplateRenderError } from '../../src/templates/compile.js';
import { parseForm } from '../../src/templates/form.js';
import { TemplateRegistry } from '../../src/templates/registry.js';
import { createRenderer, renderBody } from '../../src/templates/render.js';
import { sampleEvent } from '../../src/templates/schemas.js';
import { compiled } from './support.js';

describe('renderBody', () => {
  const template = compiled('{"text": "#rule_name on #entity", "value": "#value", "tags": "#entity.tags"}');

  it('json: compact JSON with its content type', () => {
    expect(renderBody(template, sampleEvent('alert.open'))).toEqual({
      body: '{"text":"docker-tcp-check on db-test-db2","value":1,"tags":{"docker-host":"nurswghbs001","image-name":"db2express-c","env":"prod","status":"running"}}',
      contentType: 'application/json; charset=utf-8',
    });
  });

  it('form: the object flattened to dotted keys, urlencoded', () => {
    const rendered = renderBody(template, sampleEvent('alert.open'), 'form');
    expect(rendered.contentType).toBe('application/x-www-form-urlencoded');
    expect(rendered.body).toBe('text=docker-tcp-check+on+db-test-db2&value=1&tags.docker-host=nurswghbs001&tags.image-name=db2express-c&tags.env=prod&tags.status=running');
    expect(parseForm(rendered.body)).toContainEqual(['text', 'docker-tcp-check on db-test-db2']);
  });
});

describe('the renderer delivery uses', () => {
  const registry = new TemplateRegistry();
  registry.define('chat', '{"text": "#summary to #receiver", "key": "#params.key"}');
  const renderer = createRenderer(registry, { receiver: 'default-hook', organizationName: 'Acme' });

  it('renders user templates and presets by name, with settings over the defaults', () => {
    expect(renderer.render('chat', sampleEvent('alert.open'), 'json').body).toBe('{"text":"docker-tcp-check opened on db-test-db2 (value 1) to default-hook","key":null}');
    expect(renderer.render('chat', sampleEvent('alert.open'), 'json', { receiver: 'ops', params: { key: 'k1' } }).body).toBe('{"text":"docker-tcp-check opened on db-test-db2 (value 1) to ops","key":"k1"}');
    expect(JSON.parse(renderer.render('events', sampleEvent('webhook.test'), 'json').body)).toHaveProperty('events');
  });

  it('an unknown template is a TemplateRenderError', () => {
    expect(() => renderer.render('nope', sampleEvent('alert.open'), 'json')).toThrow(TemplateRenderError);
  });

  it('signs form bodies the Axibase way', () => {
    expect(renderer.formSigningString('b=2&a=1+1')).toBe('a=1+1&b=2');
  });
});

describe('a renderer without defaults', () => {
  const registry = new TemplateRegistry();
  registry.define('chat', '{"text": "#summary to #receiver", "key": "#params.key", "org": "#organization_name"}');
  const renderer = createRenderer(registry);

  it.each([
    [undefined, '{"text":"docker-tcp-check opened on db-test-db2 (value 1) to ","key":null,"org":null}'],
    [{ receiver: 'ops', params: { key: 'k1' } }, '{"text":"docker-tcp-check opened on db-test-db2 (value 1) to ops","key":"k1","org":null}'],
    [{ organizationName: 'Acme' }, '{"text":"docker-tcp-check opened on db-test-db2 (value 1) to ","key":null,"org":"Acme"}'],
  ])('renders with the settings it is given: %j', (settings, body) => {
    expect(renderer.render('chat', sampleEvent('alert.open'), 'json', settings).body).toBe(body);
  });
});
