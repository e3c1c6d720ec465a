/**
 * The expression bench's inputs: 1,000 deterministic contexts and the expressions, each written
 * once per engine (in that engine's own syntax) and once by hand as a plain JavaScript function.
 *
 * Every text is a function of one numeric literal so the compile bench can produce any number of
 * distinct variants; `literal` is the value the eval bench uses. The hand-written function is the
 * reference: every engine must agree with it on every context.
 */
import { seededRandom } from '../lib/random.js';

export const CONTEXT_COUNT = 1000;
const SEED = 20240917;

const STATUSES = ['running', 'exited', 'paused'];
const ENVS = ['prod', 'staging', 'dev'];
const SEVERITIES = ['warning', 'critical', 'info'];

/** What the engine hands to a condition: the sample, its entity and the rule's severity. */
export function makeContexts(count = CONTEXT_COUNT, seed = SEED) {
  const random = seededRandom(seed);
  return Array.from({ length: count }, (_, i) => {
    // One sample in ten is exactly 0 (a stopped container), the rest spread over 0–100 inclusive.
    const value = random.next() < 0.1 ? 0 : random.int(10001) / 100;
    return {
      metric: 'docker.cpu.busy',
      value,
      time: 1_700_000_000_000 + i * 15_000,
      tags: { container: `c${random.int(50)}` },
      entity: {
        name: `host-${random.int(100)}`,
        enabled: true,
        tags: { status: random.pick(STATUSES), env: random.pick(ENVS) },
      },
      severity: random.pick(SEVERITIES),
    };
  });
}

/** CEL has int and double types; a number compared with a double field must be written as a double. */
const double = (n) => (Number.isInteger(n) ? n.toFixed(1) : String(n));

/**
 * `texts[engine](n)` is the expression in that engine's syntax with the varying literal `n`.
 * Peer notes: filtrex needs double-quoted strings and reads nested properties with `of`;
 * jsonata calls functions with `$`; jexl and cel-js get `abs` as a registered function.
 */
export const EXPRESSIONS = [
  {
    id: 'presence',
    literal: 0,
    variant: (i) => (i + 1) / 1e5,
    hand: (c) => c.value !== 0 && c.entity.tags.status !== 'exited',
    texts: {
      tocsin: (n) => `value != ${n} && entity.tags.status != 'exited'`,
      jexl: (n) => `value != ${n} && entity.tags.status != 'exited'`,
      filtrex: (n) => `value != ${n} and status of tags of entity != "exited"`,
      'expr-eval': (n) => `value != ${n} and entity.tags.status != "exited"`,
      jsonata: (n) => `value != ${n} and entity.tags.status != 'exited'`,
      'cel-js': (n) => `value != ${double(n)} && entity.tags.status != 'exited'`,
    },
  },
  {
    id: 'threshold',
    literal: 80,
    variant: (i) => 80 + (i + 1) / 1e5,
    hand: (c) => c.value > 80 && (c.entity.tags.env === 'prod' || c.severity === 'critical'),
    texts: {
      tocsin: (n) => `value > ${n} && (entity.tags.env == 'prod' || severity == 'critical')`,
      jexl: (n) => `value > ${n} && (entity.tags.env == 'prod' || severity == 'critical')`,
      filtrex: (n) => `value > ${n} and (env of tags of entity == "prod" or severity == "critical")`,
      'expr-eval': (n) => `value > ${n} and (entity.tags.env == "prod" or severity == "critical")`,
      jsonata: (n) => `value > ${n} and (entity.tags.env = 'prod' or severity = 'critical')`,
      'cel-js': (n) => `value > ${double(n)} && (entity.tags.env == 'prod' || severity == 'critical')`,
    },
  },
  {
    id: 'arithmetic',
    literal: 90,
    variant: (i) => 90 + (i + 1) / 1e5,
    hand: (c) => Math.abs(c.value - 50) * 2 + 10 > 90,
    texts: {
      tocsin: (n) => `abs(value - 50) * 2 + 10 > ${n}`,
      jexl: (n) => `abs(value - 50) * 2 + 10 > ${n}`,
      filtrex: (n) => `abs(value - 50) * 2 + 10 > ${n}`,
      'expr-eval': (n) => `abs(value - 50) * 2 + 10 > ${n}`,
      jsonata: (n) => `$abs(value - 50) * 2 + 10 > ${n}`,
      'cel-js': (n) => `abs(value - 50.0) * 2.0 + 10.0 > ${double(n)}`,
    },
  },
];

/** The expression as the tables show it: tocsin's text with the eval literal. */
export const displayText = (expression) => expression.texts.tocsin(expression.literal);
