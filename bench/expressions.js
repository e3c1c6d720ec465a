/**
 * Expression bench: tocsin against jexl, filtrex, expr-eval, jsonata and cel-js, and against a
 * hand-written JavaScript function, on the same 1,000 contexts in the same process.
 *
 * 1. Cross-check: every engine must return exactly the hand-written function's result on every
 *    context (a fast wrong answer is worth nothing); a mismatch stops the bench.
 * 2. Evaluations per second, per engine and expression: loops over the 1,000 contexts, counting
 *    true results (the count is checked every round, so no work can be optimised away).
 * 3. Compilations per second with distinct texts (V8 caches `new Function` of a text it has seen,
 *    and tocsin and filtrex both generate JavaScript): each variant differs in one numeric literal.
 *    tocsin is measured as it compiles by default (tiered: the interpreter is ready at once) and
 *    with its code generated at once, which is what a tiered expression pays when it switches.
 * 4. tocsin's two tiers side by side: the generated code (what the eval rows time, after the
 *    expression switched) and the closure-tree interpreter that runs its first evaluations.
 */
import { compile as tocsinCompile, TIER_UP_AFTER } from '../dist/parser/index.js';
import { CONTEXT_COUNT, EXPRESSIONS, displayText, makeContexts } from './expressions/cases.js';
import { PEERS, TOCSIN, TOCSIN_GENERATED, TOCSIN_INTERPRETED } from './expressions/engines.js';
import { formatRate, formatRatio } from './lib/format.js';
import { DEFAULT_TIMING, measureOneShots, measureRates } from './lib/measure.js';

export const title = 'Expression language';

const TARGETS = { versusFastestPeer: 10, versusHandWritten: 0.5, compilesPerSecond: 20_000 };

const HAND = { name: 'hand-written JS' };

/**
 * One batch function per engine and expression, compiled from its own source text: a shared loop
 * would make its call site megamorphic and slow every engine down after the first one.
 */
function makeBatch(label, evaluate, contexts, isAsync) {
  const loop = isAsync
    ? 'for (let i = 0; i < contexts.length; i++) if ((await evaluate(contexts[i])) === true) n++;'
    : 'for (let i = 0; i < contexts.length; i++) if (evaluate(contexts[i]) === true) n++;';
  const source = `const label = ${JSON.stringify(label)};
return ${isAsync ? 'async ' : ''}function batch(reps) {
  let n = 0;
  for (let r = 0; r < reps; r++) { ${loop} }
  return n;
};`;
  return new Function('evaluate', 'contexts', source)(evaluate, contexts);
}

/**
 * Compiles every engine's text of one expression; the hand-written function and tocsin's
 * interpreter join them. tocsin is compiled as the engine compiles a rule (tiered) and read as the
 * engine reads it, `compiled.evaluate` at the time of the call: the cross-check's 1,000
 * evaluations switch it to generated code before any timing, and `timedTocsin` makes sure of that.
 */
function evaluatorsFor(expression) {
  const text = expression.texts.tocsin(expression.literal);
  const tocsin = tocsinCompile(text, { expect: 'boolean' });
  return [
    { engine: HAND, evaluate: expression.hand },
    { engine: TOCSIN, compiled: tocsin, get evaluate() { return tocsin.evaluate; } },
    { engine: TOCSIN_INTERPRETED, evaluate: TOCSIN_INTERPRETED.compile(text) },
    ...PEERS.map((peer) => ({ engine: peer, evaluate: peer.compile(expression.texts[peer.name](expression.literal)) })),
  ];
}

/** The eval rows must time the tier the engine runs on a busy rule; a tiering change that broke that must not pass as a result. */
function assertTocsinSwitched(evaluators, expression) {
  const { compiled } = evaluators.find((e) => e.engine === TOCSIN);
  if (compiled.tier !== 'generated') throw new Error(`tocsin did not switch to generated code on ${displayText(expression)}`);
}

async function crossCheck(expression, evaluators, contexts) {
  const expected = contexts.map(expression.hand);
  for (const { engine, evaluate } of evaluators) {
    for (let i = 0; i < contexts.length; i++) {
      let actual = evaluate(contexts[i]);
      if (actual instanceof Promise) actual = await actual;
      if (actual !== expected[i]) {
        throw new Error(
          `cross-check failed: ${engine.name} returned ${JSON.stringify(actual)} instead of ${JSON.stringify(expected[i])}\n` +
          `  expression: ${expression.texts[engine.name]?.(expression.literal) ?? displayText(expression)}\n` +
          `  context #${i}: ${JSON.stringify(contexts[i])}`,
        );
      }
    }
  }
  return expected.filter((x) => x === true).length;
}

/** Fresh texts for the compile bench: a running index per expression, so no text repeats in a run. */
function variantSource(expression, syntax) {
  let next = 0;
  return (count) => Array.from({ length: count }, () => expression.texts[syntax](expression.variant(next++)));
}

/** Compile-only and compile + first evaluation (lazy engines do part of the work on the first call:
 * V8 compiles a new function's body then, cel-js type-checks) for every engine, interleaved. */
async function compileRates(engines, expression, context, timing) {
  const subjects = engines.flatMap((engine) => {
    const texts = variantSource(expression, engine.syntax ?? engine.name);
    const label = `${engine.name} compile ${expression.id}`;
    const firstEval = (text) => {
      const result = engine.compile(text)(context);
      return result instanceof Promise ? result.then((x) => x ?? 'null') : (result ?? 'null');
    };
    return [
      { label, inputs: texts, work: (text) => engine.compile(text) },
      { label: `${label} + first eval`, inputs: texts, work: firstEval },
    ];
  });
  const rates = await measureOneShots(subjects, timing);
  return Object.fromEntries(engines.map((engine, i) => [engine.name, { compile: rates[2 * i], compileAndFirstEval: rates[2 * i + 1] }]));
}

export async function run({ quick = false, log = () => {} } = {}) {
  const timing = quick ? { warmupMs: 50, rounds: 3, roundMs: 30 } : DEFAULT_TIMING;
  const compileTiming = quick ? { warmup: 300, rounds: 3, perRound: 1000 } : { warmup: 2000, rounds: 5, perRound: 4000 };
  const contexts = makeContexts();

  // Everything is compiled and cross-checked before anything is timed, so code shared between
  // expressions (tocsin's evaluate wrapper, cel-js's evaluator, the closure nodes) has seen all
  // of them when the first timing starts, as it would in an engine with many rules.
  const prepared = [];
  for (const expression of EXPRESSIONS) {
    const evaluators = evaluatorsFor(expression);
    const trueCount = await crossCheck(expression, evaluators, contexts);
    assertTocsinSwitched(evaluators, expression);
    log(`${displayText(expression)}: all ${evaluators.length} engines agree on ${CONTEXT_COUNT} contexts (${trueCount} true)`);
    prepared.push({ expression, evaluators, trueCount });
  }

  const data = [];
  for (const { expression, evaluators, trueCount } of prepared) {
    log(`evaluations/s: ${displayText(expression)}`);
    const rates = await measureRates(
      evaluators.map(({ engine, evaluate }) => ({
        batch: makeBatch(`${engine.name}: ${expression.id}`, evaluate, contexts, engine.async === true),
        label: `${engine.name} on ${expression.id}`,
        opsPerRep: contexts.length,
        expectedCount: (reps) => reps * trueCount,
      })),
      timing,
    );
    const evals = {};
    for (const [i, { engine }] of evaluators.entries()) {
      evals[engine.name] = rates[i];
      log(`  ${engine.name.padEnd(24)} ${formatRate(rates[i].median).padStart(8)}`);
    }
    data.push({ id: expression.id, text: displayText(expression), trueCount, evals, compiles: {} });
  }

  for (const [i, { expression }] of prepared.entries()) {
    log(`compilations/s: ${displayText(expression)}`);
    const engines = [TOCSIN, TOCSIN_GENERATED, ...PEERS];
    data[i].compiles = await compileRates(engines, expression, contexts[0], compileTiming);
    for (const engine of engines) {
      const rates = data[i].compiles[engine.name];
      log(`  ${engine.name.padEnd(24)} ${formatRate(rates.compile.median).padStart(8)} / ${formatRate(rates.compileAndFirstEval.median)} with first eval`);
    }
  }

  return report(data, { rounds: timing.rounds, compiledTexts: compileTiming.warmup + compileTiming.rounds * compileTiming.perRound });
}

function report(data, { rounds, compiledTexts }) {
  const engineNames = [HAND.name, TOCSIN.name, TOCSIN_INTERPRETED.name, ...PEERS.map((p) => p.name)];
  const columns = data.map((d, i) => `E${i + 1}`);
  const legend = data.map((d, i) => `E${i + 1}: \`${d.text}\``);
  const asyncNote = 'jsonata 2 evaluates asynchronously; its rate includes awaiting each result.';

  const summaries = data.map((d) => {
    const peers = PEERS.map((p) => ({ name: p.name, rate: d.evals[p.name].median }));
    const fastest = peers.reduce((a, b) => (b.rate > a.rate ? b : a));
    const tocsin = d.evals[TOCSIN.name].median;
    return {
      id: d.id,
      text: d.text,
      tocsin,
      hand: d.evals[HAND.name].median,
      interpreted: d.evals[TOCSIN_INTERPRETED.name].median,
      fastestPeer: fastest.name,
      fastestPeerRate: fastest.rate,
      versusFastestPeer: tocsin / fastest.rate,
      versusHandWritten: tocsin / d.evals[HAND.name].median,
      generatedVersusInterpreted: tocsin / d.evals[TOCSIN_INTERPRETED.name].median,
      compilesPerSecond: d.compiles[TOCSIN.name].compile.median,
      compilesAndFirstEvalPerSecond: d.compiles[TOCSIN.name].compileAndFirstEval.median,
      generatedCompilesPerSecond: d.compiles[TOCSIN_GENERATED.name].compile.median,
    };
  });

  const evalTable = {
    title: 'Evaluations per second (median of rounds, 1,000 contexts per pass)',
    columns: ['engine', ...columns],
    rows: engineNames.map((name) => [name, ...data.map((d) => formatRate(d.evals[name].median))]),
  };
  const ratioTable = {
    title: 'tocsin against its targets',
    columns: ['expression', 'tocsin eval/s', 'fastest peer', 'vs fastest peer (≥ 10×)', 'vs hand-written (≥ 0.5×)', 'compiles/s (≥ 20 k)'],
    rows: summaries.map((s, i) => [
      columns[i],
      formatRate(s.tocsin),
      `${s.fastestPeer} ${formatRate(s.fastestPeerRate)}`,
      formatRatio(s.versusFastestPeer),
      formatRatio(s.versusHandWritten),
      formatRate(s.compilesPerSecond),
    ]),
  };
  const compileTable = {
    title: 'Compilations per second, distinct texts (compile only / compile + first evaluation)',
    columns: ['engine', ...columns],
    rows: [TOCSIN.name, TOCSIN_GENERATED.name, ...PEERS.map((p) => p.name)].map((name) => [
      name,
      ...data.map((d) => `${formatRate(d.compiles[name].compile.median)} / ${formatRate(d.compiles[name].compileAndFirstEval.median)}`),
    ]),
  };
  const tierTable = {
    title: "tocsin's tiers: generated code vs the interpreter (same AST, same null rules)",
    columns: ['expression', 'generated eval/s', 'interpreter eval/s', 'generated / interpreter', 'generating compiles/s', 'interpreted evals that cost one generation'],
    rows: summaries.map((s, i) => [
      columns[i],
      formatRate(s.tocsin),
      formatRate(s.interpreted),
      formatRatio(s.generatedVersusInterpreted),
      formatRate(s.generatedCompilesPerSecond),
      // One generation (compile with code at once, less the shared front end, is close enough to it) in interpreted evaluations.
      Math.round(s.interpreted / s.generatedCompilesPerSecond).toLocaleString('en-US'),
    ]),
  };

  const targets = summaries.flatMap((s, i) => [
    { name: `${columns[i]} tocsin vs fastest peer (${s.fastestPeer})`, value: s.versusFastestPeer, target: TARGETS.versusFastestPeer, unit: '×' },
    { name: `${columns[i]} tocsin vs hand-written`, value: s.versusHandWritten, target: TARGETS.versusHandWritten, unit: '×' },
    { name: `${columns[i]} tocsin compiles`, value: s.compilesPerSecond, target: TARGETS.compilesPerSecond, unit: '/s' },
  ]).map((t) => ({ ...t, pass: t.value >= t.target }));

  return {
    title,
    legend,
    notes: [
      'hand-written JS is the same condition as a plain arrow function without null guards, which V8 inlines into the loop: a ceiling, not a peer.',
      'Peer APIs: jexl `compile` + `evalSync`, filtrex `compileExpression`, expr-eval `parse` + `evaluate`, jsonata `jsonata` + `evaluate`, cel-js typed `Environment#parse`; `abs` registered where not built in.',
      `Rounds are interleaved across engines (median of ${rounds}), so load on a shared machine hits all engines alike; compare ratios across machines, not absolute rates.`,
      asyncNote,
      `Compile rates: ${compiledTexts.toLocaleString('en-US')} distinct texts per engine and expression (one numeric literal varies), each compiled once, median of rounds.`,
      `tocsin compiles tiered by default: the interpreter is ready at once and the expression switches to generated code after ${TIER_UP_AFTER.toLocaleString('en-US')} evaluations; "tocsin, generated at once" is compile with \`evaluator: 'generated'\`. The eval rows time tocsin after the switch, read as the engine reads it.`,
    ],
    summary: [ratioTable, evalTable, compileTable],
    tables: [evalTable, ratioTable, compileTable, tierTable],
    targets,
    data: { contexts: CONTEXT_COUNT, targets: TARGETS, expressions: data, summaries },
  };
}
