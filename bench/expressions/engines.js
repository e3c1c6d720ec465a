/**
 * Every engine behind one shape: `compile(text) → (context) => result`, using each library's
 * documented fast path for "compile once, evaluate many times":
 * - jexl: `compile` + `evalSync` (the promise-based `eval` would be slower still);
 * - filtrex: `compileExpression` (it generates a JavaScript function, as tocsin does);
 * - expr-eval: `Parser#parse` + `Expression#evaluate` (its tree interpreter, the documented API);
 * - jsonata 2: `jsonata(text)` + `evaluate`, which always returns a Promise: the bench awaits every
 *   result, which is what a caller has to do;
 * - cel-js: a typed `Environment` (`value: double`, `entity: map`, `severity: string`) and
 *   `parse`; its type check runs lazily on the first evaluation, which is why the compile table
 *   also shows "compile + first evaluation".
 */
import { Environment as CelEnvironment } from '@marcbachmann/cel-js';
import exprEval from 'expr-eval';
import * as filtrex from 'filtrex';
import jexlModule from 'jexl';
import jsonata from 'jsonata';
import { compile as tocsinCompile } from '../../dist/parser/index.js';

const jexl = new jexlModule.Jexl();
jexl.addFunction('abs', Math.abs);

const exprEvalParser = new exprEval.Parser();

const celEnvironment = new CelEnvironment()
  .registerVariable('value', 'double')
  .registerVariable('entity', 'map')
  .registerVariable('severity', 'string')
  .registerFunction('abs(double): double', Math.abs);

/** As the rule loader compiles: tiered, the interpreter first. */
export const TOCSIN = {
  name: 'tocsin',
  compile: (text) => tocsinCompile(text, { expect: 'boolean' }).evaluate,
};

/** What a tiered expression pays when it switches: the code generated (and compiled by V8) at once. */
export const TOCSIN_GENERATED = {
  name: 'tocsin, generated at once',
  syntax: 'tocsin',
  compile: (text) => tocsinCompile(text, { expect: 'boolean', evaluator: 'generated' }).evaluate,
};

/** The first tier alone. */
export const TOCSIN_INTERPRETED = {
  name: 'tocsin interpreter (first tier)',
  syntax: 'tocsin',
  compile: (text) => tocsinCompile(text, { expect: 'boolean', evaluator: 'interpreted' }).evaluate,
};

export const PEERS = [
  {
    name: 'jexl',
    compile: (text) => {
      const expression = jexl.compile(text);
      return (context) => expression.evalSync(context);
    },
  },
  { name: 'filtrex', compile: (text) => filtrex.compileExpression(text) },
  {
    name: 'expr-eval',
    compile: (text) => {
      const expression = exprEvalParser.parse(text);
      return (context) => expression.evaluate(context);
    },
  },
  {
    name: 'jsonata',
    async: true,
    compile: (text) => {
      const expression = jsonata(text);
      return (context) => expression.evaluate(context);
    },
  },
  { name: 'cel-js', compile: (text) => celEnvironment.parse(text) },
];
