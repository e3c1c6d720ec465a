/**
 * The "matches every alert" guard of silences (issue 14 item 8): a typo such as `rule =~ "?*"` must
 * not silence everything. The guard is judged against label sets that alerts really have (built by
 * alertLabels from alert data), not only against the empty label set.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { activeSilence, alertLabels, matchesEveryAlert, type SilenceMatcher } from '../../src/engine/silences.js';
import { SEVERITIES } from '../../src/model/severity.js';

const name = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,30}$/);
const tags = fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9_]{0,10}$/), fc.string({ minLength: 0, maxLength: 20 }), { maxKeys: 4 });

/** The labels of an alert, as the engine builds them for silences. */
const realLabels = fc.record({
  rule: name, entity: name, metric: name, severity: fc.constantFrom(...SEVERITIES), series: fc.string({ minLength: 1, maxLength: 40 }),
  tags, entityTags: tags, ruleLabels: fc.dictionary(fc.constantFrom('team', 'service', 'runbook'), name, { maxKeys: 3 }),
}).map((a) => alertLabels({
  rule: a.rule, severity: a.severity, series_key: a.series, tags: a.tags,
  entity: { name: a.entity, tags: a.entityTags }, metric: { name: a.metric },
}, a.ruleLabels));

const silences = (matchers: SilenceMatcher[], labels: Record<string, string>) => activeSilence([{ id: 's', matchers, startsAt: 0, endsAt: 1 }], labels, 0) !== null;

const everything: Array<[string, SilenceMatcher[]]> = [
  ['any rule name of one character or more', [{ name: 'rule', value: '?*', op: '=~' }]],
  ['alertname with a star on both sides of ?', [{ name: 'alertname', value: '*?*', op: '=~' }]],
  ['any entity and any metric', [{ name: 'entity', value: '?*', op: '=~' }, { name: 'metric', value: '*?', op: '=~' }]],
  ['every severity', [{ name: 'severity', value: '?*', op: '=~' }]],
  ['a series key that is not a made-up one', [{ name: 'series_key', value: 'no-such-series-key', op: '!=' }, { name: 'rule', value: '?*', op: '=~' }]],
  ['a plain star', [{ name: 'entity', value: '*', op: '=~' }]],
  ['an entity that is not empty', [{ name: 'entity', value: '', op: '!=' }]],
];

const narrower: Array<[string, SilenceMatcher[]]> = [
  ['one entity', [{ name: 'entity', value: 'db-1' }]],
  ['entities with a prefix', [{ name: 'entity', value: 'web-*', op: '=~' }]],
  ['entities that contain a dash', [{ name: 'entity', value: '*-*', op: '=~' }]],
  ['alerts that have an env tag', [{ name: 'tags.env', value: '?*', op: '=~' }]],
  ['rules that have a team label', [{ name: 'team', value: '?*', op: '=~' }]],
  ['every severity but info, for one rule', [{ name: 'rule', value: 'disk-full' }, { name: 'severity', value: 'info', op: '!=' }]],
  ['long rule names only', [{ name: 'rule', value: '??????????*', op: '=~' }]],
];

describe('matchesEveryAlert', () => {
  it.each(everything)('%s: matches every alert', (_what, matchers) => {
    expect(matchesEveryAlert(matchers)).toBe(true);
    // Sound: such a silence really does match the labels of every alert.
    fc.assert(fc.property(realLabels, (labels) => silences(matchers, labels)), { numRuns: 300 });
  });

  it.each(narrower)('%s: does not', (_what, matchers) => {
    expect(matchesEveryAlert(matchers)).toBe(false);
    // And real alerts exist that it leaves alone.
    expect(fc.sample(realLabels, { numRuns: 300, seed: 14 }).some((labels) => !silences(matchers, labels))).toBe(true);
  });

  it('still refuses what matches an alert without any label (Alertmanager\'s rule)', () => {
    expect(matchesEveryAlert([{ name: 'tags.env', value: 'prod', op: '!=' }])).toBe(true);
    expect(matchesEveryAlert([{ name: 'severity', value: 'critical', op: '!=' }])).toBe(true);
  });
});
