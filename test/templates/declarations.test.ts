import { describe, expect, it } from 'vitest';
import { formatDiagnostics, type Span } from '../../src/parser/diagnostics.js';
import { checkTemplateDeclaration, type TemplateDeclaration } from '../../src/templates/declarations.js';
import { sampleEvent } from '../../src/templates/schemas.js';

/** A declaration as the config loader gives it, with spans found by searching the text (enough for these fixtures). */
function yamlDeclaration(text: string, value: Record<string, unknown>, spans: Record<string, string>): TemplateDeclaration {
  const spanOf = (path: ReadonlyArray<string | number>): Span => {
    const needle = spans[path.join('.')] ?? spans[''] ?? '';
    const start = Math.max(0, text.indexOf(needle));
    return { start, end: start + Math.max(1, needle.length) };
  };
  return { name: String(value.name), value, source: 'yaml', origin: { file: 'rules/chat.yaml', text, spanOf } };
}

describe('templates declared in config files', () => {
  it('a templates/NAME.json file is the body and serves the alert events', () => {
    const text = '{"text": "#rule_name"}';
    const check = checkTemplateDeclaration({ name: 'chat', value: { name: 'chat', body: JSON.parse(text) }, source: 'template-file', origin: { file: 'rules/templates/chat.json', text, spanOf: () => ({ start: 0, end: 1 }) } });
    expect(check.diagnostics).toEqual([]);
    expect(check.template?.eventTypes).toHaveLength(5);
    expect(check.template?.renderJson(sampleEvent('alert.open'))).toBe('{"text":"docker-tcp-check"}');
  });

  it('a templates/NAME.json file with a mistake points into the file', () => {
    const text = '{\n  "text": "#rule_nam"\n}';
    const check = checkTemplateDeclaration({ name: 'chat', value: { name: 'chat', body: JSON.parse(text) }, source: 'template-file', origin: { file: 'rules/templates/chat.json', text, spanOf: () => ({ start: 0, end: 1 }) } });
    expect(check.template).toBeNull();
    expect(formatDiagnostics(check.diagnostics).split('\n')[0]).toBe("rules/templates/chat.json:2:12 error: unknown variable '#rule_nam' (did you mean '#rule_name'?)");
  });

  it('a templates: item with a body written in YAML, its positions in the YAML file', () => {
    const text = ['templates:', '  - name: chat', '    events: [alert.open, rule.error]', '    body:', '      text: "#summary for #rule_name"', ''].join('\n');
    const value = { name: 'chat', events: ['alert.open', 'rule.error'], body: { text: '#summary for #rule_name' } };
    const check = checkTemplateDeclaration(yamlDeclaration(text, value, { '': 'name: chat', 'body.text': '"#summary for #rule_name"' }));
    expect(check.template?.render(sampleEvent('rule.error'))).toEqual({ text: 'rule disk-growth failed: percentile(p) needs p between 0 and 100, got 120 for disk-growth' });
  });

  it('a mistake in a YAML body points at the token in the YAML file', () => {
    const text = ['templates:', '  - name: chat', '    body:', '      text: "on #entty"', ''].join('\n');
    const check = checkTemplateDeclaration(yamlDeclaration(text, { name: 'chat', body: { text: 'on #entty' } }, { 'body.text': '"on #entty"' }));
    expect(formatDiagnostics(check.diagnostics)).toBe(
      ["rules/chat.yaml:4:17 error: unknown variable '#entty' (did you mean '#entity'?)", '        text: "on #entty"', '                  ^^^^^^', '  hint: the variables of each event type are listed in docs/templates.md; write ## for a literal #'].join('\n'),
    );
  });

  it('a body given as JSON text (source) is checked the same way', () => {
    const text = ['templates:', '  - name: chat', `    source: '{"t": "#valeu"}'`, ''].join('\n');
    const check = checkTemplateDeclaration(yamlDeclaration(text, { name: 'chat', source: '{"t": "#valeu"}' }, { source: `'{"t": "#valeu"}'` }));
    expect(check.diagnostics.map((d) => `${d.line}:${d.column} ${d.code}`)).toEqual(['3:21 unknown-variable']);
  });

  it.each([
    [{ name: 'chat', body: {}, colour: 'red' }, "unknown template option 'colour'"],
    [{ name: 'chat' }, 'give the body either as `body` (a value) or as `source` (JSON text), exactly one of them'],
    [{ name: 'chat', body: {}, events: ['alert.opne'] }, "unknown event type 'alert.opne' (did you mean 'alert.open'?)"],
    [{ name: 'flat', body: {} }, "'flat' is the name of a built-in preset"],
  ])('%j: %s', (value, message) => {
    const check = checkTemplateDeclaration(yamlDeclaration('templates:\n  - name: x\n', value, { '': 'name: x' }));
    expect(check.template).toBeNull();
    expect(check.diagnostics.map((d) => d.message)).toContain(message);
  });
});
