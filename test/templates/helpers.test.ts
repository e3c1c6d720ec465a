import { describe, expect, it } from 'vitest';
import { duration, formatDate, round } from '../../src/templates/helpers.js';
import { compiled, eventWith, leaf } from './support.js';

describe('formatDate (luxon formats and time zones)', () => {
  const open = '2026-03-14T09:26:53.000Z';
  it.each([
    [[open], '2026-03-14T09:26:53.000Z'],
    [[open, 'yyyy-LL-dd HH:mm'], '2026-03-14 09:26'],
    [[open, 'yyyy-LL-dd HH:mm ZZZZ', 'Europe/Berlin'], '2026-03-14 10:26 GMT+1'],
    [[open, 'HH:mm', 'America/New_York'], '05:26'],
    [[open, 'EEE MMM dd HH:mm:ss ZZZZ yyyy'], 'Sat Mar 14 09:26:53 UTC 2026'],
    [[open, 'cccc d LLLL', 'UTC', 'de'], 'Samstag 14 März'],
    [[open, 'rfc2822'], 'Sat, 14 Mar 2026 09:26:53 +0000'],
    [[open, 'http'], 'Sat, 14 Mar 2026 09:26:53 GMT'],
    [[open, 'millis'], '1773480413000'],
    [[open, 'seconds'], '1773480413'],
    [[1773480413000, 'yyyy-LL-dd'], '2026-03-14'],
    [[null, 'yyyy'], ''],
    [['not a date', 'yyyy'], ''],
    [[open, 'yyyy', 'Mars/Olympus'], ''],
  ] as const)('%j → %j', (args, expected) => {
    const [value, format, tz, locale] = args as unknown as [unknown, unknown, unknown, unknown];
    expect(formatDate(value, format, tz, locale)).toBe(expected);
  });
});

describe('duration (1h 5m)', () => {
  it.each([
    [[3900], '1h 5m'],
    [[0], '0s'],
    [[90061], '1d 1h 1m 1s'],
    [[3900000, undefined, 'ms'], '1h 5m'],
    [[2112, 'dd:hh:mm:ss'], '00:00:35:12'],
    [[2112, 'hh:mm:ss'], '00:35:12'],
    [[null], ''],
    [['abc'], ''],
  ] as const)('%j → %j', (args, expected) => {
    const [value, format, unit] = args as unknown as [unknown, unknown, unknown];
    expect(duration(value, format, unit)).toBe(expected);
  });
});

describe('round (half away from zero, on decimal digits)', () => {
  it.each([
    [[93.456], 93],
    [[93.456, 2], 93.46],
    [[1.005, 2], 1.01],
    [[2.5], 3],
    [[-2.5], -3],
    [[-0.4], 0],
    [[1234.5, -2], 1200],
    [['7.25', 1], 7.3],
    [[null], ''],
    [[Number.NaN], ''],
  ] as const)('%j → %j', (args, expected) => {
    const [value, digits] = args as unknown as [unknown, unknown];
    expect(round(value, digits)).toBe(expected);
  });
});

describe('helpers inside templates', () => {
  it.each([
    ['"{{formatDate open_time \\"HH:mm\\" tz=\\"Asia/Tokyo\\"}}"', '18:26'],
    ['"{{duration alert_duration}}"', '35m 12s'],
    ['"{{round 93.4567 2}}"', '93.46'],
    ['"{{json labels}}"', '{"team":"infra","runbook":"https://runbooks.example.com/docker-tcp"}'],
    ['"{{json metric.units}}"', 'null'],
    ['"{{default metric.units \\"n/a\\"}}"', 'n/a'],
    ['"{{default entity.label entity.name}}"', 'DB2 test container'],
    ['"{{#if (eq status \\"cancel\\")}}resolved{{else}}firing{{/if}}"', 'resolved'],
    ['"{{#if (ne status \\"cancel\\")}}firing{{else}}resolved{{/if}}"', 'resolved'],
    ['"{{#if (gt value 0)}}up{{else}}down{{/if}}"', 'down'],
    ['"{{#if (lt value 1)}}low{{/if}}"', 'low'],
    ['"{{#if (gte repeat_count 0)}}a{{/if}}{{#if (lte 1 0)}}b{{/if}}"', 'a'],
    ['"{{#if (and entity.enabled (not acknowledged))}}on{{/if}}"', 'on'],
    ['"{{#if (or (eq severity \\"fatal\\") (eq severity \\"warning\\"))}}page{{/if}}"', 'page'],
    ['"{{upper status}} {{lower \\"MiXeD\\"}}"', 'CANCEL mixed'],
    ['"{{#each tags}}{{@key}}={{this}};{{/each}}"', 'container-name=db-test-db2-10.5;external-port=48002;port=50000;'],
    ['"{{#with entity}}{{name}} ({{label}}){{/with}}"', 'db-test-db2 (DB2 test container)'],
    ['"{{lookup entity.tags \\"image-name\\"}}"', 'db2express-c'],
    ['"{{gt value \\"x\\"}}"', 'false'],
  ])('%s → %j', (template, expected) => {
    // `acknowledged` is not a variable: use one that is falsy on the cancel sample.
    const text = template.replace('(not acknowledged)', '(not open_value)');
    const event = eventWith('alert.cancel', { open_value: 0 });
    expect(leaf(text, event)).toBe(expected);
  });

  it('values printed by Handlebars are not HTML-escaped (the body is JSON, escaped once as JSON)', () => {
    expect(leaf('"{{rule_filter}}"', eventWith('alert.open', { rule_filter: "a < b && c == 'd'" }))).toBe("a < b && c == 'd'");
  });

  it('prototype properties are not reachable, even through lookup at run time', () => {
    const template = compiled('{"a": "{{#each tags}}[{{lookup this \\"constructor\\"}}]{{/each}}", "b": "{{lookup entity \\"constructor\\"}}", "c": "{{lookup labels \\"__proto__\\"}}", "d": "{{lookup (lookup entity \\"constructor\\") \\"name\\"}}"}');
    expect(template.render(eventWith('alert.open', { tags: { k: 'v' } }))).toEqual({ a: '[]', b: '', c: '', d: '' });
  });

  it('the checker refuses prototype names outright', () => {
    expect(() => compiled('{"a": "{{constructor}}"}')).toThrow("unknown name 'constructor'");
    expect(() => compiled('{"a": "{{#each tags}}{{this.constructor}}{{/each}}"}')).toThrow("'this' is string and has no field 'constructor'");
  });
});
