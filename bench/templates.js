/**
 * Template bench: bodies rendered per second (the JSON text delivery sends), for a 10-field
 * template of #variables, for each preset, and for a hand-written JSON.stringify of the same 10
 * fields as a baseline, over the same 1,000 alert events.
 *
 * 1. Cross-check: for every template and event, the body text parses to exactly the value the
 *    object path renders, and the hand-written baseline agrees with the 10-field template; a
 *    mismatch stops the bench.
 * 2. Renders per second: loops over the 1,000 events, counting bodies whose length is the one
 *    the cross-check saw (checked every round, so no work can be optimised away).
 * 3. Compiles per second of the 10-field template with distinct texts (templates compile at load
 *    time; this says how long a reload of many templates takes).
 */
import { compileTemplate, presetTemplate, PRESET_NAMES, PREVIEW_SETTINGS, renderBody, sampleEvent } from '../dist/templates/index.js';
import { formatRate, formatRatio } from './lib/format.js';
import { DEFAULT_TIMING, measureOneShots, measureRates } from './lib/measure.js';
import { seededRandom } from './lib/random.js';

export const title = 'Message templates';

const EVENT_COUNT = 1000;
const SEED = 20260314;
const TARGETS = { tenFieldRendersPerSecond: 200_000 };

/** The 10-field template: typed leaves, a map, a tag and one interpolated sentence. */
const TEN_FIELDS = `{
  "rule": "#rule_name", "status": "#status", "entity": "#entity", "env": "#entity.tags.env",
  "value": "#value", "open_value": "#open_value", "since": "#open_time", "severity": "#severity",
  "text": "#rule_name is #status on #entity (value #value)", "labels": "#labels"
}`;

/** The same body written by hand: what a programmer would write without a template engine. */
function handWritten(event) {
  const d = event.data;
  return JSON.stringify({
    rule: d.rule, status: d.status, entity: d.entity.name, env: d.entity.tags.env ?? null,
    value: d.value, open_value: d.open_value, since: d.open_time, severity: event.severity,
    text: `${d.rule} is ${d.status} on ${d.entity.name} (value ${d.value ?? ''})`, labels: d.labels,
  });
}

const TYPES = ['alert.open', 'alert.repeat', 'alert.cancel'];
const ENVS = ['prod', 'staging', 'dev'];
const SEVERITIES = ['warning', 'major', 'critical', 'info'];

/** 1,000 distinct alert events of three types, built from the schema examples. */
function makeEvents(count = EVENT_COUNT, seed = SEED) {
  const random = seededRandom(seed);
  return Array.from({ length: count }, (_, i) => {
    const event = sampleEvent(TYPES[i % TYPES.length]);
    const severity = random.pick(SEVERITIES);
    event.id = `bench-${i}`;
    event.severity = severity;
    event.data.severity = severity;
    event.data.rule = `rule-${random.int(40)}`;
    event.data.value = random.next() < 0.05 ? null : random.int(10001) / 100;
    event.data.entity.name = `host-${random.int(200)}`;
    event.data.entity.tags = { ...event.data.entity.tags, env: random.pick(ENVS) };
    event.data.tags = { container: `c${random.int(50)}`, port: String(8000 + random.int(100)) };
    event.data.message = random.next() < 0.5 ? '' : 'CPU <high> on #entity & rising';
    return event;
  });
}

/** One batch function per template, compiled from its own source so its call site stays monomorphic. */
function makeBatch(label, render, events, lengths) {
  const source = `const label = ${JSON.stringify(label)};
return function batch(reps) {
  let n = 0;
  for (let r = 0; r < reps; r++) for (let i = 0; i < events.length; i++) if (render(events[i]).length === lengths[i]) n++;
  return n;
};`;
  return new Function('render', 'events', 'lengths', source)(render, events, lengths);
}

function crossCheck(name, template, render, events) {
  return events.map((event) => {
    const body = render(event);
    const expected = template.render(event, PREVIEW_SETTINGS);
    if (JSON.stringify(JSON.parse(body)) !== JSON.stringify(expected)) {
      throw new Error(`cross-check failed: ${name} text and value differ for ${event.type} ${event.id}\n  text:  ${body}\n  value: ${JSON.stringify(expected)}`);
    }
    return body.length;
  });
}

export async function run({ quick = false, log = () => {} } = {}) {
  const timing = quick ? { warmupMs: 50, rounds: 3, roundMs: 40 } : DEFAULT_TIMING;
  const events = makeEvents();
  const tenFields = compileTemplate(TEN_FIELDS, { name: 'ten-fields', eventTypes: TYPES });
  if (!tenFields.ok) throw new Error(`the 10-field template does not compile: ${tenFields.diagnostics.map((d) => d.message).join('; ')}`);

  const cases = [
    { name: '10-field template', template: tenFields },
    ...PRESET_NAMES.map((preset) => ({ name: `preset ${preset}`, template: presetTemplate(preset) })),
  ].map((c) => ({ ...c, render: (event) => renderBody(c.template, event, 'json', PREVIEW_SETTINGS).body }));

  // The hand-written body must be what the 10-field template renders.
  for (const event of events) {
    const expected = JSON.stringify(tenFields.render(event, PREVIEW_SETTINGS));
    if (handWritten(event) !== expected) throw new Error(`cross-check failed: hand-written body differs for ${event.id}\n  hand:     ${handWritten(event)}\n  template: ${expected}`);
  }

  // All subjects are timed round-robin, so machine noise hits them alike and ratios stay meaningful.
  const subjects = cases.map((c) => {
    const lengths = crossCheck(c.name, c.template, c.render, events);
    c.averageBodyBytes = Math.round(lengths.reduce((a, b) => a + b, 0) / lengths.length);
    return { batch: makeBatch(c.name, c.render, events, lengths), label: c.name, opsPerRep: events.length, expectedCount: (reps) => reps * events.length };
  });
  const handLengths = events.map((event) => handWritten(event).length);
  subjects.push({ batch: makeBatch('hand-written', handWritten, events, handLengths), label: 'hand-written JSON.stringify', opsPerRep: events.length, expectedCount: (reps) => reps * events.length });
  const rates = await measureRates(subjects, timing);
  const hand = rates[rates.length - 1];
  const results = cases.map((c, i) => ({ case: c.name, opsPerSec: rates[i].median, min: rates[i].min, max: rates[i].max, averageBodyBytes: c.averageBodyBytes }));
  for (const r of results) log(`  render  ${r.case.padEnd(24)} ${formatRate(r.opsPerSec).padStart(8)}/s  (${r.averageBodyBytes} B)`);
  log(`  render  ${'hand-written (baseline)'.padEnd(24)} ${formatRate(hand.median).padStart(8)}/s`);

  let next = 0;
  const [compiles] = await measureOneShots(
    [
      {
        label: 'compile 10-field template',
        work: (text) => compileTemplate(text, { name: 'bench', eventTypes: TYPES }),
        inputs: (count) => Array.from({ length: count }, () => TEN_FIELDS.replace('"#rule_name", "status"', `"#rule_name", "n": ${next++}, "status"`)),
      },
    ],
    { warmup: quick ? 100 : 500, rounds: quick ? 2 : 5, perRound: quick ? 200 : 1000 },
  );
  log(`  compile 10-field template        ${formatRate(compiles.median).padStart(8)}/s`);

  return report(results, hand, compiles);
}

function report(results, hand, compiles) {
  const ten = results[0];
  const renderTable = {
    title: `Bodies rendered per second (median of rounds, ${EVENT_COUNT.toLocaleString('en')} alert events per pass, JSON text)`,
    columns: ['template', 'renders/s', 'body bytes', 'vs hand-written'],
    rows: [
      // Only the 10-field template renders the same body as the hand-written baseline.
      ...results.map((r, i) => [r.case, formatRate(r.opsPerSec), r.averageBodyBytes, i === 0 ? formatRatio(r.opsPerSec / hand.median) : '']),
      ['hand-written JSON.stringify (10 fields)', formatRate(hand.median), '', '1.00×'],
    ],
  };
  const compileTable = {
    title: 'Compilations per second (10-field template, distinct texts, checks included)',
    columns: ['template', 'compiles/s'],
    rows: [['10-field template', formatRate(compiles.median)]],
  };
  const targets = [
    { name: '10-field template renders', value: ten.opsPerSec, target: TARGETS.tenFieldRendersPerSecond, unit: '/s' },
  ].map((t) => ({ ...t, pass: t.value >= t.target }));
  return {
    title,
    legend: ['10-field template: typed leaves (#value, #labels, #entity.tags.env, …) and one interpolated sentence; presets render their Handlebars too.'],
    notes: ['Every body is cross-checked: its JSON text parses to exactly the object the template renders.'],
    summary: [renderTable],
    tables: [renderTable, compileTable],
    targets,
    data: {
      events: EVENT_COUNT,
      targets: TARGETS,
      name: 'templates',
      results,
      handWritten: { opsPerSec: hand.median, min: hand.min, max: hand.max },
      compilesPerSecond: compiles.median,
    },
  };
}
