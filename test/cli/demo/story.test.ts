/**
 * The demo's storyline against the example rules, in data time (no clock, no HTTP): the samples the
 * feed sends, parsed by the same ingestion parsers the server uses, make the example rules emit
 * exactly the events the demo narrates.
 */
import { describe, expect, it } from 'vitest';
import { Engine } from '../../../src/engine/engine.js';
import { loadRuleDirectory } from '../../../src/engine/rules/load.js';
import type { AlertEventData } from '../../../src/model/event.js';
import type { Sample } from '../../../src/model/sample.js';
import { parseLineProtocol, parseSamplesBody } from '../../../src/server/ingest/index.js';
import { BEATS, ENTITIES, entityRequests, feedRequests, levelsAt, STEP_MS, STORY_MINUTES } from '../../../src/cli/demo/story.js';

const START = Date.parse('2026-01-05T10:00:00Z');
const MINUTE = 60_000;

function samplesOf(time: number): Sample[] {
  const minute = (time - START) / MINUTE;
  return feedRequests(levelsAt(minute), time).flatMap((request) => {
    const parsed = request.path.startsWith('/api/v1/write')
      ? parseLineProtocol(request.body, { precision: 'ms', now: time })
      : parseSamplesBody(request.body, request.contentType);
    if (!parsed.ok) throw new Error(`${request.path}: ${JSON.stringify(parsed.errors)}`);
    return parsed.samples;
  });
}

function storyEvents(): Array<{ at: number; type: string; rule: string; entity: string }> {
  const loaded = loadRuleDirectory('rules');
  if (!loaded.ruleSet) throw new Error('the example rules do not load');
  const entities = ENTITIES.map((e) => ({ name: e.name, enabled: true, tags: { ...e.tags } }));
  const engine = new Engine({ clock: { mode: 'data' }, rules: loaded.ruleSet.rules, entities });
  const events = [];
  for (let time = START; time < START + STORY_MINUTES * MINUTE; time += STEP_MS) events.push(...engine.ingest(samplesOf(time)).events);
  events.push(...engine.advance(START + STORY_MINUTES * MINUTE).events);
  return events.map(({ event }) => {
    const data = event.data as AlertEventData;
    return { at: (Date.parse(event.time) - START) / MINUTE, type: event.type, rule: data.rule, entity: data.entity.name };
  });
}

describe('the demo story', () => {
  it('makes the example rules open, cancel and flap at the narrated minutes', () => {
    expect(storyEvents()).toEqual([
      { at: 3, type: 'alert.open', rule: 'container-down', entity: 'web-1' },
      { at: 5, type: 'alert.cancel', rule: 'container-down', entity: 'web-1' },
      { at: 8, type: 'alert.open', rule: 'disk-almost-full', entity: 'db-1' },
      { at: 12, type: 'alert.cancel', rule: 'disk-almost-full', entity: 'db-1' },
      { at: 20.5, type: 'alert.open', rule: 'cpu-high', entity: 'app-1' },
      { at: 30.5, type: 'alert.cancel', rule: 'cpu-high', entity: 'app-1' },
      { at: 33, type: 'alert.open', rule: 'container-down', entity: 'web-1' },
      { at: 38, type: 'alert.cancel', rule: 'container-down', entity: 'web-1' },
      { at: 40, type: 'alert.flapping', rule: 'container-down', entity: 'web-1' },
    ]);
  });

  it('registers every entity the samples name, through PUT /api/v1/entities/:name', () => {
    const named = new Set(samplesOf(START).map((s) => s.entity));
    expect(entityRequests().map((r) => `${r.method} ${r.path}`)).toEqual([...named].map((name) => `PUT /api/v1/entities/${name}`));
  });

  it('has beats on the step grid, in order, inside the hour', () => {
    const minutes = BEATS.map((b) => b.minute);
    expect(minutes).toEqual([...minutes].sort((a, b) => a - b));
    for (const minute of minutes) {
      expect((minute * MINUTE) % STEP_MS).toBe(0);
      expect(minute).toBeLessThan(STORY_MINUTES);
    }
  });

  it.each([
    [0, { containerDown: 0, cpuPercent: 35, diskPercent: 71 }],
    [2.5, { containerDown: 1, cpuPercent: 35, diskPercent: 71 }],
    [8, { containerDown: 0, cpuPercent: 35, diskPercent: 93 }],
    [39.5, { containerDown: 1, cpuPercent: 30, diskPercent: 80 }],
  ])('levels at minute %s', (minute, levels) => {
    expect(levelsAt(minute)).toEqual(levels);
  });
});
