/**
 * docs/operations.md, checked against the code: the flag and environment table against `tocsin
 * run` and its settings, the metric table against the registry, the Telegraf URLs against the
 * ingestion route, and the systemd command line against the run command's options.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { settings } from '../../src/cli/commands/run.js';
import { buildProgram } from '../../src/cli/main.js';
import { routeTable } from '../../src/server/app.js';
import { createMetrics } from '../../src/server/metrics.js';
import { LIMIT_NAMES, limitDefaultText } from '../../src/server/limits.js';
import { code, fencedBlocks, readDoc, tables } from './markdown.js';

const page = readDoc('operations.md');
const run = buildProgram({ stdout: () => {}, stderr: () => {} }, () => {}).commands.find((c) => c.name() === 'run')!;

describe('docs/operations.md running', () => {
  const rows = tables(page).find((t) => t.header.join('|') === 'Flag|Environment|Default|Meaning')!.rows;
  const byEnv = new Map(rows.map((row) => [code(row[1]!)!, { flag: code(row[0]!), default: code(row[2]!) }]));

  it('lists exactly the flags of tocsin run', () => {
    expect(rows.map((row) => code(row[0]!)).filter((flag) => flag !== null).sort()).toEqual(run.options.map((o) => o.long).sort());
  });

  it.each([
    ['TOCSIN_CONFIG', 'configDir', '--config'],
    ['TOCSIN_DATA', 'dataFile', '--data'],
    ['TOCSIN_HOST', 'host', '--host'],
    ['TOCSIN_PORT', 'port', '--port'],
  ] as const)('%s sets %s, --flag wins over it, and the default is as documented', (env, field, flag) => {
    const row = byEnv.get(env)!;
    expect(row.flag).toBe(flag);
    expect(String(settings({}, {})[field])).toBe(row.default);
    expect(String(settings({}, { [env]: '9999' })[field])).toBe('9999');
    const option = { '--config': 'config', '--data': 'data', '--host': 'host', '--port': 'port' }[flag];
    expect(String(settings({ [option]: '1234' }, { [env]: '9999' })[field])).toBe('1234');
  });

  it('documents the log level variable the server reads', () => {
    const source = readFileSync(new URL('../../src/cli/commands/run.ts', import.meta.url), 'utf8');
    expect(source).toContain(`TOCSIN_LOG_LEVEL ?? '${byEnv.get('TOCSIN_LOG_LEVEL')!.default}'`);
  });

  it('the systemd unit runs tocsin run with real flags', () => {
    const unit = fencedBlocks(page).find((b) => b.lang === 'ini')!;
    const command = /^ExecStart=.*tocsin\.js run (.*)$/m.exec(unit.body)![1]!;
    const flags = command.split(' ').filter((word) => word.startsWith('--'));
    expect(flags.length).toBeGreaterThan(0);
    for (const flag of flags) expect(run.options.map((o) => o.long)).toContain(flag);
  });
});

describe('docs/operations.md metrics', () => {
  const documented = tables(page).find((t) => t.header[0] === 'Metric')!.rows.map((row) => ({
    name: code(row[0]!)!,
    type: row[1]!,
    // Label values are listed in parentheses after the label name.
    labels: [...row[2]!.replace(/\([^)]*\)/g, '').matchAll(/`([a-z_]+)`/g)].map((m) => m[1]!),
  }));

  it('lists every tocsin metric with its type and labels', () => {
    const registered = createMetrics({ processMetrics: false }).registry.getMetricsAsArray().map((metric) => {
      const { name, type, labelNames } = metric as unknown as { name: string; type: string; labelNames: string[] };
      return { name, type, labels: [...labelNames] };
    });
    expect(documented.map((d) => ({ ...d, labels: [...d.labels].sort() }))).toEqual(registered.map((r) => ({ ...r, labels: [...r.labels].sort() })));
  });
});

describe('docs/operations.md Telegraf', () => {
  const write = routeTable().find((route) => route.url === '/api/v1/write')!;
  const toml = fencedBlocks(page).filter((b) => b.lang === 'toml');

  it('points the InfluxDB output at the write route (it appends /write) without database creation', () => {
    const block = toml.find((b) => b.body.includes('[[outputs.influxdb]]'))!;
    const url = new URL(/urls = \["([^"]+)"\]/.exec(block.body)![1]!);
    expect(`POST ${url.pathname}/write`).toBe(`${write.method} ${write.url}`);
    expect(block.body).toMatch(/skip_database_creation = true/);
    expect(block.body).toMatch(/"Authorization" = "Bearer \$\{TOCSIN_TOKEN\}"/);
  });

  it('points the HTTP output at the write route with the influx format', () => {
    const block = toml.find((b) => b.body.includes('[[outputs.http]]'))!;
    const url = new URL(/url = "([^"]+)"/.exec(block.body)![1]!);
    expect(`${/method = "(\w+)"/.exec(block.body)![1]} ${url.pathname}`).toBe(`${write.method} ${write.url}`);
    expect(block.body).toMatch(/data_format = "influx"/);
  });

  it('uses a role that may write samples', () => {
    expect(write.permission).toBe('samples:write');
    expect(page).toContain('token create --role ingest --name telegraf');
  });
});

describe('docs/operations.md limits', () => {
  const table = tables(page).find((t) => t.header.join('|') === 'Limit|Default|Setting|What it bounds')!;

  it('lists every limit of schemas/limits.schema.json with its default and its setting', () => {
    const settingOf = (row: string[]) => /^--limit ([a-z_]+)=…$/.exec(code(row[2]!) ?? '')?.[1];
    const rows = table.rows.filter((row) => settingOf(row) !== undefined);
    const documented = new Map(rows.map((row) => [settingOf(row)!, code(row[1]!)]));
    expect([...documented.keys()].sort()).toEqual([...LIMIT_NAMES].sort());
    for (const name of LIMIT_NAMES) expect(documented.get(name), name).toBe(limitDefaultText(name));
  });

  it('the --limit flag and TOCSIN_LIMITS set them, the flag winning', () => {
    const row = byEnvRow('TOCSIN_LIMITS');
    expect(code(row[0]!)).toBe('--limit');
    const env = { TOCSIN_LIMITS: 'max_sample_age=1d,max_connections=7' };
    const set = settings({ limit: ['max_sample_age=2d'] }, env).limits;
    expect(set).toMatchObject({ ok: true, limits: { max_sample_age: 2 * 86_400_000, max_connections: 7 } });
  });
});

function byEnvRow(env: string): string[] {
  const table = tables(page).find((t) => t.header.join('|') === 'Flag|Environment|Default|Meaning')!;
  return table.rows.find((row) => code(row[1]!) === env)!;
}
