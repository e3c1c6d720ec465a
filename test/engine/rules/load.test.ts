import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRuleDirectory, loadRuleFiles, type LoadResult } from '../../../src/engine/rules/load.js';
import type { RuleDefinition } from '../../../src/engine/rule.js';
import { formatDiagnostics } from '../../../src/parser/index.js';

const FIXTURES = 'test/fixtures/rules';
const fixture = (path: string) => ({ file: join(FIXTURES, path), text: readFileSync(join(FIXTURES, path), 'utf8') });

/** An ExpressionSource as the loader builds it: the text, and its origin in the whole file. */
const expression = (text: string, file: { file: string; text: string }) => ({
  text,
  origin: { file: file.file, text: file.text, mapOffset: expect.any(Function) },
});

const positions = (result: LoadResult) => result.diagnostics.map((d) => `${d.file}:${d.line}:${d.column} ${d.severity} ${d.code}`);
/** Position, kind and the underlined text of each diagnostic, so a table shows what is pointed at. */
const pointedAt = (result: LoadResult) =>
  result.diagnostics.map((d) => `${d.line}:${d.column} ${d.severity} ${d.code} «${d.sourceLine?.slice(d.column - 1, d.column - 1 + d.length)}»`);

describe('valid rule files load to RuleDefinitions (SPEC §3)', () => {
  it('reads every field of the SPEC example', () => {
    const file = fixture('valid/full.yaml');
    const result = loadRuleFiles([file]);
    expect(result.diagnostics).toEqual([]);
    const expected: RuleDefinition = {
      name: 'container-down',
      file: file.file,
      line: 3,
      description: 'A production container is not running.',
      metrics: ['docker.cpu.busy'],
      filter: expression("entity.tags.env == 'prod'", file),
      condition: expression("value != 0 && entity.tags.status != 'exited'", file),
      cancelWhen: expression('value < 70', file),
      groupBy: ['entity'],
      window: { kind: 'length', size: 3 },
      forMs: 120_000,
      keepFiringForMs: 300_000,
      repeat: { kind: 'interval', ms: 600_000 },
      noDataMs: 600_000,
      seriesTtlMs: 3_600_000,
      maxSeries: 100_000,
      expect: expression("entity.tags.role == 'db'", file),
      flapping: { window: 10, low: 0.25, high: 0.5 },
      schedule: { days: [1, 2, 3, 4, 5], hours: [[480, 1080]], timezone: 'Europe/Berlin' },
      severity: 'major',
      overrides: [
        { when: expression("entity.tags.env == 'staging'", file), severity: 'info' },
        { when: expression("entity == 'db-7'", file), disabled: true },
      ],
      labels: { team: 'infra' },
      notify: [{ webhook: 'ops-chat', on: ['open', 'cancel'], template: 'chat-alert' }],
      message: 'container #entity is down',
      timezone: 'Europe/Berlin',
      enabled: true,
    };
    expect(result.ruleSet?.rules).toEqual([expected]);
  });

  it('fills in the schema defaults and normalises series-key parts', () => {
    const file = fixture('valid/minimal.yaml');
    const result = loadRuleFiles([file]);
    expect(result.diagnostics).toEqual([]);
    const expected: RuleDefinition = {
      name: 'cpu-high',
      file: file.file,
      line: 2,
      metrics: ['cpu.usage_active', 'cpu.*'],
      condition: expression("avg('5 minute') > 80", file),
      groupBy: ['entity', 'cpu', 'mount-point', 'path'],
      window: { kind: 'time', ms: 300_000 },
      forMs: 0,
      keepFiringForMs: 0,
      repeat: { kind: 'every', count: 5 },
      noDataMs: null,
      seriesTtlMs: 3_600_000,
      maxSeries: 100_000,
      flapping: null,
      schedule: null,
      severity: 'warning',
      overrides: [],
      labels: {},
      notify: [],
      message: '',
      timezone: 'UTC',
      enabled: true,
    };
    expect(result.ruleSet?.rules).toEqual([expected]);
  });

  it('maps expression offsets into the file, so the engine can point runtime errors at the YAML', () => {
    const file = fixture('valid/full.yaml');
    const rule = loadRuleFiles([file]).ruleSet!.rules[0]!;
    const { text, origin } = rule.condition;
    const offset = origin.mapOffset!(text.indexOf('entity.tags.status'));
    expect(file.text.slice(offset, offset + 'entity.tags.status'.length)).toBe('entity.tags.status');
  });

  it('collects tests with their position, and maps offsets in their input into the file', () => {
    const file = fixture('valid/full.yaml');
    const [test] = loadRuleFiles([file]).ruleSet!.tests;
    expect(test).toEqual({
      name: 'stopped container opens then cancels',
      input: 'docker.cpu.busy{entity=c1,status=running} 0@0s 5@60s 5@120s 5@180s 0@240s\n',
      entities: {},
      expect: [
        { at: '180s', event: 'alert.open', entity: 'c1' },
        { at: '240s+5m', event: 'alert.cancel', entity: 'c1' },
      ],
      origin: { file: file.file, text: file.text, mapOffset: expect.any(Function), line: 33, column: 5 },
    });
    const offset = test!.origin.mapOffset!(test!.input.indexOf('5@60s'));
    expect(file.text.slice(offset, offset + 5)).toBe('5@60s');
  });

  it('collects webhooks and templates from YAML sections and templates/NAME.json files', () => {
    const result = loadRuleDirectory(join(FIXTURES, 'valid'));
    expect(result.diagnostics).toEqual([]);
    const set = result.ruleSet!;
    expect(set.files).toEqual([
      join(FIXTURES, 'valid/full.yaml'),
      join(FIXTURES, 'valid/minimal.yaml'),
      join(FIXTURES, 'valid/templates/chat-alert.json'),
    ]);
    expect(set.webhooks.map(({ kind, name, value, source, origin }) => ({ kind, name, value, source, file: origin.file, line: origin.line }))).toEqual([
      {
        kind: 'webhook',
        name: 'ops-chat',
        value: { name: 'ops-chat', url: 'https://chat.example.com/hooks/abc', template: 'chat-alert' },
        source: 'yaml',
        file: join(FIXTURES, 'valid/full.yaml'),
        line: 40,
      },
    ]);
    const [template] = set.templates;
    expect(template).toMatchObject({
      kind: 'template',
      name: 'chat-alert',
      source: 'template-file',
      value: { name: 'chat-alert', body: { text: '#rule_name is #status on #entity (value #value)', value: '#value' } },
    });
    // Other modules validate the declarations further and need positions inside them.
    const webhook = set.webhooks[0]!;
    const url = webhook.origin.spanOf(['url']);
    expect(webhook.origin.text.slice(url.start, url.end)).toBe('https://chat.example.com/hooks/abc');
    const value = template!.origin.spanOf(['body', 'value']);
    expect(template!.origin.text.slice(value.start, value.end)).toBe('"#value"');
  });
});

describe('every mistake of every file is reported at once, compiler-style', () => {
  it('reports three different mistakes in one rule with file:line:col and carets', () => {
    const result = loadRuleFiles([fixture('invalid/three-mistakes.yaml')]);
    expect(result.ruleSet).toBeNull();
    expect(formatDiagnostics(result.diagnostics)).toBe(
      [
        "test/fixtures/rules/invalid/three-mistakes.yaml:5:48 error: unknown function 'avgg' (did you mean 'avg'?)",
        "      condition: 'entity.tags.env == ''prod'' && avgg(''5 minute'') > 80'",
        '                                                 ^^^^',
        '  hint: the functions are listed in docs/expressions.md',
        '',
        "test/fixtures/rules/invalid/three-mistakes.yaml:6:10 error: 'for' is not a duration: '2 minuts' (did you mean 'minute'?)",
        '      for: 2 minuts',
        '           ^^^^^^^^',
        "  hint: write a number and a unit: 30s, 5m, 1h30m, 250ms or '5 minute'",
        '',
        "test/fixtures/rules/invalid/three-mistakes.yaml:7:5 error: unknown key 'severty' in a rule (did you mean 'severity'?)",
        '      severty: major',
        '      ^^^^^^^',
        '  hint: keys of a rule: name, description, metric, filter, group_by, window, condition, cancel_when, for, keep_firing_for, repeat, no_data, series_ttl, max_series, expect, flapping, schedule, severity, overrides, labels, notify, message, timezone, enabled',
      ].join('\n'),
    );
  });

  it('points expression mistakes inside | and > block scalars at their line and column', () => {
    const result = loadRuleFiles([fixture('invalid/block-scalars.yaml')]);
    expect(formatDiagnostics(result.diagnostics)).toBe(
      [
        "test/fixtures/rules/invalid/block-scalars.yaml:8:12 error: unknown function 'avgg' (did you mean 'avg'?)",
        '          && avgg(5) > 70',
        '             ^^^^',
        '  hint: the functions are listed in docs/expressions.md',
        '',
        "test/fixtures/rules/invalid/block-scalars.yaml:14:14 error: 'entity' has no field 'tagz' (did you mean 'tags'?)",
        "        entity.tagz.env == 'prod'",
        '               ^^^^',
        '  hint: fields of entity: name, label, enabled, tags',
      ].join('\n'),
    );
  });

  it('reports the mistakes of all files together, sorted by file and position', () => {
    const result = loadRuleFiles([fixture('invalid/three-mistakes.yaml'), fixture('invalid/block-scalars.yaml')]);
    expect(positions(result)).toEqual([
      'test/fixtures/rules/invalid/block-scalars.yaml:8:12 error unknown-function',
      'test/fixtures/rules/invalid/block-scalars.yaml:14:14 error unknown-field',
      'test/fixtures/rules/invalid/three-mistakes.yaml:5:48 error unknown-function',
      'test/fixtures/rules/invalid/three-mistakes.yaml:6:10 error invalid-duration',
      'test/fixtures/rules/invalid/three-mistakes.yaml:7:5 error unknown-key',
    ]);
    expect(result.summary).toEqual({ files: 2, rules: 3, errors: 5, warnings: 0 });
  });
});

describe('names are unique across the config directory', () => {
  it('reports a rule, webhook or template defined twice, pointing at the second and naming the first', () => {
    const result = loadRuleDirectory(join(FIXTURES, 'duplicates'));
    expect(result.ruleSet).toBeNull();
    expect(result.diagnostics.map((d) => [`${d.file}:${d.line}:${d.column}`, d.code, d.message, d.hint])).toEqual([
      [
        'test/fixtures/rules/duplicates/b.yaml:5:11', 'duplicate-rule', "rule 'cpu-high' is defined twice",
        'it is first defined at test/fixtures/rules/duplicates/a.yaml:2; rule names must be unique in the config directory',
      ],
      [
        'test/fixtures/rules/duplicates/b.yaml:9:11', 'duplicate-webhook', "webhook 'ops-chat' is defined twice",
        'it is first defined at test/fixtures/rules/duplicates/a.yaml:6; webhook names must be unique in the config directory',
      ],
      [
        'test/fixtures/rules/duplicates/templates/chat-alert.json:1:1', 'duplicate-template', "template 'chat-alert' is defined twice",
        'it is first defined at test/fixtures/rules/duplicates/a.yaml:9; template names must be unique in the config directory',
      ],
    ]);
  });
});

describe('loading is all-or-nothing', () => {
  it('returns no rule set when any file has an error, and reports only the real mistakes', () => {
    const result = loadRuleDirectory(join(FIXTURES, 'mixed'));
    expect(result.ruleSet).toBeNull();
    expect(positions(result)).toEqual(['test/fixtures/rules/mixed/bad.yaml:5:10 error invalid-duration']);
    expect(result.summary).toEqual({ files: 2, rules: 2, errors: 1, warnings: 0 });
  });

  it("lets other modules' checks join in: their errors are reported with the rest and fail the load", () => {
    const text = ruleFile(COND, 'webhooks:\n  - name: ops-chat\n    url: ftp://x\n');
    const result = loadRuleFiles([{ file: 'r.yaml', text }], {
      check: ({ webhooks }) =>
        webhooks.map((w) => ({ severity: 'error' as const, code: 'invalid-url', message: 'not http', file: w.origin.file, line: w.origin.line, column: w.origin.column, length: 1 })),
    });
    expect(positions(result)).toEqual(['r.yaml:6:5 error invalid-url']);
    expect(result.ruleSet).toBeNull();
  });

  it('still returns the rule set when there are only warnings', () => {
    const result = loadRuleFiles([
      { file: 'a.yaml', text: 'rules:\n  - name: a\n    metric: m\n    condition: value > 1\n    group_by: [entity, entity]\n' },
    ]);
    expect(positions(result)).toEqual(['a.yaml:5:24 warning invalid-group-by']);
    expect(result.ruleSet?.rules[0]?.groupBy).toEqual(['entity']);
  });
});

/** A one-rule file around `fields` (indented rule keys). */
const ruleFile = (fields: string, extra = '') => `rules:\n  - name: r\n    metric: m\n${fields}${extra}`;
const COND = '    condition: value > 1\n';

describe('semantic checks beyond the schema, each positioned with a hint', () => {
  const cases: Array<{ mistake: string; text: string; expected: string }> = [
    { mistake: 'misspelt window function', text: ruleFile(COND + '    window: lenght(3)\n'), expected: '5:13 error invalid-window «lenght(3)»' },
    { mistake: 'empty length window', text: ruleFile(COND + '    window: length(0)\n'), expected: '5:13 error invalid-window «length(0)»' },
    { mistake: 'zero time window', text: ruleFile(COND + '    window: time(0s)\n'), expected: '5:13 error invalid-window «time(0s)»' },
    { mistake: 'bad duration in a time window', text: ruleFile(COND + '    window: time(5 minits)\n'), expected: '5:13 error invalid-window «time(5 minits)»' },
    { mistake: 'duration without a unit', text: ruleFile(COND + "    keep_firing_for: '5'\n"), expected: "5:22 error invalid-duration «'5'»" },
    { mistake: 'zero repeat interval', text: ruleFile(COND + '    repeat: { interval: 0s }\n'), expected: '5:25 error invalid-duration «0s»' },
    { mistake: 'zero no_data', text: ruleFile(COND + '    no_data: 0m\n'), expected: '5:14 error invalid-duration «0m»' },
    { mistake: 'entity tag as series key part', text: ruleFile(COND + '    group_by: [entity.tags.env]\n'), expected: '5:16 error invalid-group-by «entity.tags.env»' },
    { mistake: 'expression name as series key part', text: ruleFile(COND + '    group_by: [value]\n'), expected: '5:16 error invalid-group-by «value»' },
    { mistake: 'misspelt entity in group_by', text: ruleFile(COND + '    group_by: [entiy]\n'), expected: '5:16 warning invalid-group-by «entiy»' },
    { mistake: 'flapping low above high', text: ruleFile(COND + '    flapping: { low: 0.6, high: 0.5 }\n'), expected: '5:22 error invalid-flapping «0.6»' },
    { mistake: 'bad schedule hours', text: ruleFile(COND + "    schedule: { hours: '8-18' }\n"), expected: "5:24 error invalid-schedule «'8-18'»" },
    { mistake: 'bad day in a schedule list', text: ruleFile(COND + '    schedule: { days: [mon, tue, thr] }\n'), expected: '5:34 error invalid-schedule «thr»' },
    { mistake: 'unknown time zone', text: ruleFile(COND + '    timezone: Europe/Berln\n'), expected: '5:15 error invalid-timezone «Europe/Berln»' },
    { mistake: 'expect without no_data', text: ruleFile(COND + "    expect: entity.tags.role == 'db'\n"), expected: '5:5 error expect-without-no-data «expect»' },
    { mistake: 'series_ttl shorter than no_data', text: ruleFile(COND + '    no_data: 2h\n    series_ttl: 30m\n'), expected: '6:17 warning series-ttl-raised «30m»' },
    { mistake: 'zero series_ttl', text: ruleFile(COND + '    series_ttl: 0s\n'), expected: '5:17 error invalid-duration «0s»' },
    { mistake: 'max_series below 1', text: ruleFile(COND + '    max_series: 0\n'), expected: '5:17 error out-of-range «0»' },
    { mistake: 'override without effect', text: ruleFile(COND + '    overrides:\n      - when: value > 5\n'), expected: '6:9 warning override-no-effect «when: value > 5»' },
    { mistake: 'same webhook notified twice', text: ruleFile(COND + '    notify: [{ webhook: a }, { webhook: a }]\n'), expected: '5:41 warning duplicate-notify «a»' },
    { mistake: 'flapping window beyond the engine limit', text: ruleFile(COND + '    flapping: { window: 40 }\n'), expected: '5:25 error out-of-range «40»' },
    { mistake: 'span longer than the default window', text: ruleFile("    condition: avg('5 minute') > 80\n"), expected: "4:16 warning window-too-short «avg('5 minute')»" },
    { mistake: 'count longer than a length window', text: ruleFile('    window: length(3)\n    condition: value > 2 * avg(5)\n'), expected: '5:28 warning window-too-short «avg(5)»' },
    { mistake: 'span longer than a time window', text: ruleFile("    window: time(5m)\n    condition: percentile(95, '10 minute') > 1\n"), expected: "5:16 warning window-too-short «percentile(95, '10 minute')»" },
    { mistake: 'non-boolean condition', text: ruleFile('    condition: value + 1\n'), expected: '4:16 error not-boolean «value + 1»' },
    { mistake: 'expression error in an override', text: ruleFile(COND + "    overrides:\n      - when: entity.tags.env = 'a' && vlaue > 1\n        severity: info\n"), expected: '6:40 error unknown-name «vlaue»' },
  ];

  it.each(cases)('$mistake', ({ text, expected }) => {
    const result = loadRuleFiles([{ file: 'r.yaml', text }]);
    expect(pointedAt(result)).toEqual([expected]);
    expect(result.diagnostics[0]!.hint).toBeTruthy();
    expect(result.ruleSet === null).toBe(expected.includes('error'));
  });
});

describe('schema mistakes are explained in the words of a rule author', () => {
  const cases: Array<{ mistake: string; text: string; expected: string; message: string }> = [
    { mistake: 'unknown top-level key', text: 'rule:\n  - name: r\n', expected: '1:1 error unknown-key «rule»', message: "unknown key 'rule' in the top level of the file (did you mean 'rules'?)" },
    { mistake: 'missing condition', text: ruleFile(''), expected: '2:5 error missing-key «name»', message: "rule 'r' has no 'condition'" },
    { mistake: 'metric of the wrong type', text: 'rules:\n  - name: r\n    metric: 5\n' + COND, expected: '3:13 error wrong-type «5»', message: "'metric' must be text or a list, not a number (5)" },
    { mistake: 'label value that is a number', text: ruleFile(COND + '    labels: { priority: 1 }\n'), expected: '5:25 error wrong-type «1»', message: "'labels.priority' must be text, not a number (1)" },
    { mistake: 'misspelt severity', text: ruleFile(COND + '    severity: warn\n'), expected: '5:15 error not-allowed «warn»', message: "'severity' cannot be 'warn' (did you mean 'warning'?)" },
    { mistake: 'rule name with a space', text: 'rules:\n  - name: cpu high\n    metric: m\n' + COND, expected: '2:11 error invalid-format «cpu high»', message: "invalid 'name': 'cpu high'" },
    { mistake: 'repeat with two modes', text: ruleFile(COND + '    repeat: { interval: 5m, every: 2 }\n'), expected: '5:13 error invalid-value «{ interval: 5m, every: 2 }»', message: "'repeat' takes exactly one of: interval, every" },
    { mistake: 'repeat as a word', text: ruleFile(COND + '    repeat: always\n'), expected: '5:13 error invalid-format «always»', message: "invalid 'repeat': 'always'" },
    { mistake: 'unknown notify status', text: ruleFile(COND + '    notify: [{ webhook: a, on: [open, closed] }]\n'), expected: '5:39 error not-allowed «closed»', message: "'notify[0].on[1]' cannot be 'closed'" },
    { mistake: 'list item of the wrong type', text: 'rules:\n  - name: r\n    metric: [a, 3]\n' + COND, expected: '3:17 error wrong-type «3»', message: "'metric[1]' must be text, not a number (3)" },
    { mistake: 'file that is a list', text: '- name: r\n', expected: '1:1 error wrong-type «- name: r»', message: 'the file must be a mapping (key: value), not a list' },
    { mistake: 'unknown test event', text: 'tests:\n  - name: t\n    input: x\n    expect: [{ at: 1s, event: alert.opn }]\n', expected: '4:31 error not-allowed «alert.opn»', message: "'expect[0].event' cannot be 'alert.opn' (did you mean 'alert.open'?)" },
    { mistake: 'webhook without a name', text: 'webhooks:\n  - url: http://x\n', expected: '2:5 error missing-key «url»', message: "this webhook has no 'name'" },
  ];

  it.each(cases)('$mistake', ({ text, expected, message }) => {
    const result = loadRuleFiles([{ file: 'r.yaml', text }]);
    expect(pointedAt(result)).toEqual([expected]);
    expect(result.diagnostics[0]!.message).toBe(message);
  });
});

describe('YAML syntax errors are positioned too', () => {
  it.each([
    { mistake: 'duplicate key', text: ruleFile(COND + '    metric: n\n'), expected: '5:5 error duplicate-key', length: 6 },
    { mistake: 'bad indentation', text: 'rules:\n  - name: r\n   metric: m\n', expected: '3:1 error yaml-syntax', length: 1 },
    { mistake: 'unclosed flow sequence', text: ruleFile(COND + '    group_by: [entity\n'), expected: '6:1 error yaml-syntax', length: 1 },
  ])('$mistake', ({ text, expected, length }) => {
    const result = loadRuleFiles([{ file: 'r.yaml', text }]);
    expect(positions(result)[0]).toBe(`r.yaml:${expected}`);
    expect(result.diagnostics[0]!.length).toBe(length);
    expect(result.ruleSet).toBeNull();
  });
});

describe('shared fields through YAML anchors and merge keys', () => {
  const shared = 'x-defaults: &defaults\n  severity: major\n  labels: { team: infra }\n';

  it('merges an anchor kept under an x- key into rules', () => {
    const text = `${shared}rules:\n  - <<: *defaults\n    name: r\n    metric: m\n    condition: value > 1\n`;
    const result = loadRuleFiles([{ file: 'r.yaml', text }]);
    expect(result.diagnostics).toEqual([]);
    expect(result.ruleSet?.rules[0]).toMatchObject({ severity: 'major', labels: { team: 'infra' }, line: 5 });
  });

  it('points a mistake in a merged field at the anchor where it is written', () => {
    const text = `${shared.replace('major', 'majr')}rules:\n  - <<: *defaults\n    name: r\n    metric: m\n    condition: value > 1\n`;
    expect(pointedAt(loadRuleFiles([{ file: 'r.yaml', text }]))).toEqual(['2:13 error not-allowed «majr»']);
  });

  it('reports an alias without an anchor at the alias', () => {
    const text = 'rules:\n  - <<: *defaults\n    name: r\n';
    expect(pointedAt(loadRuleFiles([{ file: 'r.yaml', text }]))).toEqual(['2:9 error yaml-syntax «*defaults»']);
  });
});

describe('notify targets', () => {
  const webhooks = 'webhooks:\n  - name: ops-chat\ntemplates:\n  - name: chat-alert\n';

  it('warns about a webhook or template declared nowhere, when the directory declares some', () => {
    const text = ruleFile(COND + '    notify:\n      - { webhook: ops-caht, template: chat-alret }\n      - { webhook: ops-chat, template: slack }\n', webhooks);
    const result = loadRuleFiles([{ file: 'r.yaml', text }]);
    expect(result.diagnostics.map((d) => [`${d.line}:${d.column}`, d.code, d.message])).toEqual([
      ['6:20', 'unknown-webhook', "webhook 'ops-caht' is not declared in this directory (did you mean 'ops-chat'?)"],
      ['6:40', 'unknown-template', "template 'chat-alret' is neither declared in this directory nor a preset (did you mean 'chat-alert'?)"],
    ]);
    expect(result.ruleSet).not.toBeNull();
  });

  it('says nothing when webhooks and templates are managed through the API only', () => {
    const text = ruleFile(COND + '    notify: [{ webhook: anything, template: whatever }]\n');
    expect(loadRuleFiles([{ file: 'r.yaml', text }]).diagnostics).toEqual([]);
  });
});

describe('template files', () => {
  it('reports invalid JSON at its position', () => {
    const result = loadRuleFiles([{ file: 'templates/t.json', text: '{\n  "text": "#rule",\n}\n' }]);
    expect(positions(result)).toEqual(['templates/t.json:3:1 error invalid-json']);
  });

  it('are named by their file name', () => {
    const result = loadRuleFiles([{ file: 'cfg/templates/pager-duty.json', text: '{"a": 1}' }]);
    expect(result.ruleSet?.templates.map((t) => t.name)).toEqual(['pager-duty']);
  });
});

describe('loadRuleDirectory', () => {
  it('follows symbolic links (Kubernetes ConfigMap mounts) and skips hidden entries', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tocsin-rules-'));
    try {
      await mkdir(join(dir, '..data'));
      await writeFile(join(dir, '..data', 'cpu.yaml'), 'rules:\n  - name: cpu-high\n    metric: cpu\n    condition: value > 80\n');
      await symlink(join('..data', 'cpu.yaml'), join(dir, 'cpu.yaml'));
      await writeFile(join(dir, '.cpu.yaml.swp.yaml'), 'not: [valid');
      const result = loadRuleDirectory(dir);
      expect(result.diagnostics).toEqual([]);
      expect(result.ruleSet?.rules.map((r) => `${r.name} ${r.file}`)).toEqual([`cpu-high ${join(dir, 'cpu.yaml')}`]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('throws a usage error with a hint for a missing directory', () => {
    expect(() => loadRuleDirectory(join(FIXTURES, 'no-such-dir'))).toThrow(expect.objectContaining({ name: 'ConfigDirectoryError', hint: expect.stringContaining('rule files') }));
  });

  it('accepts an empty file as an empty configuration', () => {
    expect(loadRuleFiles([{ file: 'empty.yaml', text: '# nothing yet\n' }])).toEqual({
      ruleSet: { rules: [], tests: [], webhooks: [], templates: [], files: ['empty.yaml'] },
      diagnostics: [],
      summary: { files: 1, rules: 0, errors: 0, warnings: 0 },
    });
  });
});

describe('series_ttl and max_series (SPEC §4 series lifecycle)', () => {
  const load = (extra: string) => loadRuleFiles([{ file: 'r.yaml', text: `rules:\n  - name: r\n    metric: cpu\n    condition: value > 1\n${extra}` }]);

  it('default to 1h and 100000', () => {
    const rule = load('').ruleSet!.rules[0]!;
    expect([rule.seriesTtlMs, rule.maxSeries]).toEqual([3_600_000, 100_000]);
  });

  it('raise a series_ttl shorter than the window, for, keep_firing_for or no_data to the longest of them', () => {
    const written = load('    window: time(3h)\n    for: 10m\n    series_ttl: 2h\n');
    expect(written.ruleSet!.rules[0]!.seriesTtlMs).toBe(3 * 3_600_000);
    expect(written.diagnostics.map((d) => `${d.code}: ${d.message}`)).toEqual(["series-ttl-raised: series_ttl '2h' is shorter than this rule needs: series are kept for 3h (its window)"]);
    // The default is raised without a warning: the author asked for nothing.
    const defaulted = load('    keep_firing_for: 2h\n');
    expect(defaulted.ruleSet!.rules[0]!.seriesTtlMs).toBe(2 * 3_600_000);
    expect(defaulted.diagnostics).toEqual([]);
  });

  it('keep a longer series_ttl and read max_series', () => {
    const rule = load('    series_ttl: 6h\n    max_series: 500\n').ruleSet!.rules[0]!;
    expect([rule.seriesTtlMs, rule.maxSeries]).toEqual([6 * 3_600_000, 500]);
  });
});
