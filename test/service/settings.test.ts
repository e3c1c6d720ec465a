import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { settings, startServer } from '../../src/cli/commands/run.js';
import { defaultSettings, resolveSettings } from '../../src/service/settings.js';

describe('server settings (schemas/settings.schema.json)', () => {
  it('take their defaults from the schema', () => {
    const schema = JSON.parse(readFileSync(new URL('../../schemas/settings.schema.json', import.meta.url), 'utf8')) as {
      properties: { outbox: { properties: { budget: { default: string } } } };
    };
    expect(schema.properties.outbox.properties.budget.default).toBe('1GiB');
    expect(defaultSettings()).toEqual({ outbox: { budget: '1GiB', budgetBytes: 2 ** 30 } });
  });

  it('read the outbox budget as a size', () => {
    expect(resolveSettings({ outbox: { budget: '256MiB' } })).toEqual({ ok: true, settings: { outbox: { budget: '256MiB', budgetBytes: 256 * 2 ** 20 } } });
  });

  it.each(['lots', '2 gigs', '0', '0.1B'])('refuse the budget %j naming the flag, the variable and an example', (budget) => {
    const resolved = resolveSettings({ outbox: { budget } });
    expect(resolved.ok).toBe(false);
    if (!resolved.ok) expect(resolved.errors.join('\n')).toMatch(/^--outbox-budget \(or TOCSIN_OUTBOX_BUDGET\) .*e\.g\. 2GiB/);
  });

  it('come from --outbox-budget, else TOCSIN_OUTBOX_BUDGET, else the default', () => {
    expect(settings({}, {}).outboxBudget).toBeUndefined();
    expect(settings({}, { TOCSIN_OUTBOX_BUDGET: '2GiB' }).outboxBudget).toBe('2GiB');
    expect(settings({ outboxBudget: '3GiB' }, { TOCSIN_OUTBOX_BUDGET: '2GiB' }).outboxBudget).toBe('3GiB');
  });

  it('a bad budget stops tocsin run with a usage error before anything starts', async () => {
    let stderr = '';
    const code = await startServer({ config: '/nonexistent', outboxBudget: 'lots' }, { stdout: () => {}, stderr: (text) => (stderr += text) });
    expect(code).toBe(2);
    expect(stderr).toBe("error: --outbox-budget (or TOCSIN_OUTBOX_BUDGET) 'lots' is not a size; write e.g. 2GiB, 512MiB or a number of bytes\n");
  });
});
