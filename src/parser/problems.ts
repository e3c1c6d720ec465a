/**
 * The catalogue of expression diagnostics: one function per kind, each with a stable code, a
 * message that says what is wrong and a hint that says how to fix it. Codes are documented in
 * docs/expressions.md.
 */
import type { CallNode, IndexNode, MemberNode, NameNode, Node } from './ast.js';
import { closest, type Problem } from './diagnostics.js';
import type { FunctionDeclaration } from './environment.js';
import { DURATION_UNITS } from '../model/duration.js';
import { shortTypeName, typeName, type Type } from './types.js';

const didYouMean = (word: string, candidates: Iterable<string>, quote = (s: string) => `'${s}'`) => {
  const match = closest(word, candidates);
  return match === null ? '' : ` (did you mean ${quote(match)}?)`;
};

export function unknownName(node: NameNode, known: string[]): Problem {
  return {
    code: 'unknown-name',
    message: `unknown name '${node.name}'${didYouMean(node.name, known)}`,
    span: node.span,
    hint: `names are ${known.join(', ')}; text values are quoted: '${node.name}'`,
  };
}

export function unknownField(node: MemberNode, object: string, fields: string[]): Problem {
  return {
    code: 'unknown-field',
    message: `'${object}' has no field '${node.property}'${didYouMean(node.property, fields)}`,
    span: node.propertySpan,
    hint: `fields of ${object}: ${fields.join(', ')}`,
  };
}

export function noFields(node: MemberNode, object: string, type: Type): Problem {
  return {
    code: 'no-fields',
    message: `'${object}' is ${article(type)} and has no field '${node.property}'`,
    span: node.propertySpan,
    hint: 'fields exist on entity, metric, tags, entity.tags and metric.tags',
  };
}

export function fieldOfNonName(node: MemberNode | IndexNode): Problem {
  return {
    code: 'no-fields',
    message: 'only names have fields',
    span: node.span,
    hint: "write a path such as entity.tags.env or tags['key']",
  };
}

export function indexOfNonMap(node: IndexNode, object: string): Problem {
  return {
    code: 'not-a-map',
    message: `'${object}' is not a set of tags and cannot be indexed with [ ]`,
    span: node.span,
    hint: "[ ] reads a tag: tags['key'], entity.tags['key'], metric.tags['key']",
  };
}

export function mapAsValue(node: Node): Problem {
  return {
    code: 'map-as-value',
    message: 'a set of tags is not a single value',
    span: node.span,
    hint: "pick one tag: tags.name or tags['name-with-dash']",
  };
}

export function functionWithoutCall(node: NameNode): Problem {
  return {
    code: 'function-without-call',
    message: `'${node.name}' is a function`,
    span: node.span,
    hint: `call it: ${node.name}()`,
  };
}

export function callOfVariable(node: CallNode): Problem {
  return {
    code: 'not-a-function',
    message: `'${node.callee}' is a name, not a function`,
    span: node.calleeSpan,
    hint: `use it without parentheses: ${node.callee}`,
  };
}

export function unknownFunction(node: CallNode, known: string[]): Problem {
  return {
    code: 'unknown-function',
    message: `unknown function '${node.callee}'${didYouMean(node.callee, known)}`,
    span: node.calleeSpan,
    hint: 'the functions are listed in docs/expressions.md',
  };
}

export function wrongArity(node: CallNode, fn: FunctionDeclaration): Problem {
  const counts = fn.overloads.map((o) => {
    const max = o.params.length;
    const min = max - (o.optional ?? 0);
    if (o.variadic) return `${min} or more`;
    return min === max ? `${min}` : max === min + 1 ? `${min} or ${max}` : `${min} to ${max}`;
  });
  const expected = counts.join(' or ');
  return {
    code: 'wrong-arity',
    message: `${fn.name}() takes ${expected} argument${expected === '1' ? '' : 's'}, got ${node.args.length}`,
    span: node.span,
    hint: `call it as ${fn.signature}`,
  };
}

export function argumentType(arg: Node, fn: FunctionDeclaration, index: number, expected: Type, actual: Type): Problem {
  return {
    code: 'argument-type',
    message: `argument ${index + 1} of ${fn.name}() must be ${typeName(expected & ~8)}, got ${shortTypeName(actual)}`,
    span: arg.span,
    hint: `call it as ${fn.signature}`,
  };
}

export function operandType(node: Node, operator: string, expected: string, actual: Type, operand: Node): Problem {
  return {
    code: 'operand-type',
    message: `'${operator}' needs ${expected}, got ${shortTypeName(actual)}`,
    span: operand.span ?? node.span,
    hint: operandHint(operator),
  };
}

export function incomparable(node: Node, operator: string, left: Type, right: Type): Problem {
  const verb = ['+', '-', '*', '/', '%'].includes(operator) ? 'cannot combine' : 'cannot compare';
  return {
    code: 'type-mismatch',
    message: `${verb} ${shortTypeName(left)} with ${shortTypeName(right)} ('${operator}')`,
    span: node.span,
    hint: 'both sides must be numbers or both texts; convert text with toNumber(…), or quote a number to compare text',
  };
}

export function betweenTypes(node: Node, types: [Type, Type, Type]): Problem {
  return {
    code: 'type-mismatch',
    message: `BETWEEN needs three numbers or three texts, got ${types.map(shortTypeName).join(', ')}`,
    span: node.span,
    hint: 'write x BETWEEN 1 AND 10',
  };
}

export function branchTypes(node: Node, a: Type, b: Type): Problem {
  return {
    code: 'type-mismatch',
    message: `the two branches of '?:' have different types: ${shortTypeName(a)} and ${shortTypeName(b)}`,
    span: node.span,
    hint: 'make both branches numbers, texts or conditions',
  };
}

export function coalesceTypes(node: CallNode, types: Type[]): Problem {
  return {
    code: 'type-mismatch',
    message: `coalesce() arguments have different types: ${types.map(shortTypeName).join(', ')}`,
    span: node.span,
    hint: 'give coalesce values of one type, e.g. coalesce(tags.env, \'none\')',
  };
}

export function notBoolean(node: Node, type: Type): Problem {
  return {
    code: 'not-boolean',
    message: `a condition must be true or false, but this is ${article(type)}`,
    span: node.span,
    hint: 'compare it, e.g. value > 0 or tags.env == \'prod\'',
  };
}

export function numberTooLarge(node: Node): Problem {
  return { code: 'invalid-number', message: 'number is too large', span: node.span, hint: 'numbers must be finite 64-bit floats (up to about 1.8e308)' };
}

export function spanNotLiteral(node: Node, fn: string): Problem {
  return {
    code: 'window-argument',
    message: `the span of ${fn}() must be written as text, such as '5 minute'`,
    span: node.span,
    hint: `write ${fn}('5 minute') for a time span or ${fn}(5) for the last 5 samples`,
  };
}

/** Longest first, so that a misspelling is matched to the spelled-out unit ('minutes', not 'mins'). */
const UNITS_BY_LENGTH = [...DURATION_UNITS].sort((a, b) => b.length - a.length);

export function invalidDuration(node: Node, text: string, zero: boolean): Problem {
  const word = /[a-z]+/i.exec(text)?.[0] ?? '';
  return {
    code: 'invalid-duration',
    message: zero ? `the span '${text}' is empty; it must be longer than zero` : `'${text}' is not a duration${word ? didYouMean(word, UNITS_BY_LENGTH) : ''}`,
    span: node.span,
    hint: "write a number and a unit: '30 second', '5 minute', '1 hour', '2 day' (or 30s, 5m, 1h)",
  };
}

export function invalidCount(node: Node, fn: string): Problem {
  return {
    code: 'window-argument',
    message: `${fn}(n) needs a whole number of samples of at least 1`,
    span: node.span,
    hint: `write ${fn}(5) for the last 5 samples, or ${fn}('5 minute') for a time span`,
  };
}

export function percentileOutOfRange(node: Node): Problem {
  return {
    code: 'window-argument',
    message: 'a percentile is between 0 and 100',
    span: node.span,
    hint: 'percentile(95) is the 95th percentile',
  };
}

function operandHint(operator: string): string {
  if (operator === '&&' || operator === '||' || operator === 'NOT' || operator === '?:') {
    return 'turn the value into a condition with a comparison, e.g. value > 0';
  }
  if (operator === '[…]') return "a key is text: tags['1'], or tags[tags.other] to use another tag's value";
  return 'convert with toNumber(…) or compare instead';
}

function article(type: Type): string {
  const name = shortTypeName(type);
  if (name === 'null') return 'always null';
  if (name === 'map') return 'a set of tags';
  return /^[aeiou]/.test(name) ? `an ${name}` : `a ${name}`;
}
