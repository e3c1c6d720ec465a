/**
 * A closure-tree evaluator over tocsin's AST, the alternative to code generation that
 * docs/decisions.md weighs ("Compiler: code generation vs closures"). It lives in bench/ only.
 *
 * It is the usual well-built closure compiler, not a strawman: operators are resolved when the
 * tree is built (one specialised closure per node, no switch at evaluation time), member chains
 * such as `entity.tags.status` become one path reader, and it follows tocsin's null rules
 * (missing field → null, arithmetic with null → null, comparisons with null → false, `&&`/`||`
 * treat anything but true as false). It covers the node kinds the bench's expressions use.
 */
import * as functions from '../../dist/parser/functions.js';

/** Keys a plain object inherits: reading them must check ownership, as the generated code does. */
const inherited = (key) => key === '__proto__' || key in Object.prototype;

function pathOf(node) {
  if (node.kind === 'name') return [node.name];
  if (node.kind === 'member') {
    const parent = pathOf(node.object);
    return parent && [...parent, node.property];
  }
  return null;
}

/**
 * A reader for one property, chosen when the tree is built (as the generator decides it when it
 * writes the code). The load is keyed (`object[key]` with `key` a variable), and every reader
 * shares that one load site: that is inherent to closures, where generated code has `o.tags`.
 */
function propertyReader(key) {
  if (inherited(key)) {
    return (object) => (typeof object === 'object' && object !== null && Object.hasOwn(object, key) ? object[key] : undefined);
  }
  return (object) => (typeof object === 'object' && object !== null ? object[key] : undefined);
}

function pathReader(path) {
  const [a, b, c] = path.map(propertyReader);
  switch (path.length) {
    case 1:
      return (ctx) => {
        const x = a(ctx);
        return x === undefined ? null : x;
      };
    case 2:
      return (ctx) => {
        const x = b(a(ctx));
        return x === undefined ? null : x;
      };
    case 3:
      return (ctx) => {
        const x = c(b(a(ctx)));
        return x === undefined ? null : x;
      };
    default: {
      const readers = path.map(propertyReader);
      return (ctx) => {
        let x = ctx;
        for (const read of readers) x = read(x);
        return x === undefined ? null : x;
      };
    }
  }
}

const nullable = (operate) => (left, right) => (ctx) => {
  const x = left(ctx);
  const y = right(ctx);
  return x === null || y === null ? null : operate(x, y);
};
const ordered = (compare) => (left, right) => (ctx) => {
  const x = left(ctx);
  const y = right(ctx);
  return x !== null && y !== null && compare(x, y);
};

const BINARY = {
  '+': nullable((x, y) => x + y),
  '-': nullable((x, y) => x - y),
  '*': nullable((x, y) => x * y),
  '/': nullable((x, y) => (y === 0 ? null : x / y)),
  '%': nullable((x, y) => (y === 0 ? null : x % y)),
  '==': (left, right) => (ctx) => left(ctx) === right(ctx),
  '!=': (left, right) => (ctx) => left(ctx) !== right(ctx),
  '<': ordered((x, y) => x < y),
  '<=': ordered((x, y) => x <= y),
  '>': ordered((x, y) => x > y),
  '>=': ordered((x, y) => x >= y),
};

/** Builds the closure for a node; throws for node kinds the bench does not need. */
export function buildClosure(node) {
  switch (node.kind) {
    case 'literal': {
      const value = node.value;
      return () => value;
    }
    case 'name':
    case 'member': {
      const path = pathOf(node);
      if (!path) throw new Error(`closure evaluator: unsupported member access at ${node.span.start}`);
      return pathReader(path);
    }
    case 'unary': {
      const operand = buildClosure(node.operand);
      if (node.operator === '!') return (ctx) => operand(ctx) !== true;
      return (ctx) => {
        const x = operand(ctx);
        return x === null ? null : -x;
      };
    }
    case 'logical': {
      const left = buildClosure(node.left);
      const right = buildClosure(node.right);
      return node.operator === '&&'
        ? (ctx) => left(ctx) === true && right(ctx) === true
        : (ctx) => left(ctx) === true || right(ctx) === true;
    }
    case 'binary':
      return BINARY[node.operator](buildClosure(node.left), buildClosure(node.right));
    case 'call': {
      const fn = functions[node.callee];
      if (typeof fn !== 'function') throw new Error(`closure evaluator: unsupported function ${node.callee}`);
      const args = node.args.map(buildClosure);
      if (args.length === 1) {
        const [only] = args;
        return (ctx) => fn(only(ctx));
      }
      return (ctx) => fn(...args.map((arg) => arg(ctx)));
    }
    default:
      throw new Error(`closure evaluator: unsupported node kind '${node.kind}'`);
  }
}

/**
 * An evaluator with the same outer shape as tocsin's `compile(...).evaluate` (a guard for a
 * non-object context and a try/catch around the body), so the comparison measures only
 * generated code versus a closure tree.
 */
export function closureEvaluator(ast) {
  const root = buildClosure(ast);
  const empty = Object.freeze({});
  return (context) => {
    try {
      return root(typeof context === 'object' && context !== null ? context : empty);
    } catch (error) {
      throw new Error(`evaluation failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  };
}
