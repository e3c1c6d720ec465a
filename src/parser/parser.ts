/**
 * Tokens → AST. An EmbeddedActionsParser builds the AST directly: compile throughput is a
 * requirement (rules reload and API checks compile every expression), and a CST plus visitor
 * roughly doubles parse time for no gain here (docs/decisions.md).
 *
 * Precedence, lowest to highest: ?: ; || OR ; && AND ; ! NOT ; comparison ; IN LIKE BETWEEN ;
 * + - ; * / % ; unary - ; member/index/call.
 */
import { EmbeddedActionsParser, EOF, type IParserErrorMessageProvider, type IToken, type TokenType } from 'chevrotain';
import { nodeDeeperThan, type BinaryOperator, type LiteralValue, type Node } from './ast.js';
import type { Problem, Span } from './diagnostics.js';
import * as T from './lexer.js';

const spanOf = (token: IToken): Span => ({ start: token.startOffset, end: token.startOffset + token.image.length });
const join = (a: { span: Span }, b: { span: Span } | Span): Span => ({ start: a.span.start, end: 'span' in b ? b.span.end : b.end });

function describe(token: IToken | undefined): string {
  if (!token || token.tokenType === EOF) return 'the end of the expression';
  // A string token already shows its quotes.
  return token.tokenType === T.StringLiteral ? token.image : `'${token.image}'`;
}

const EXPECTED_VALUE = "expected a value (a number, a string, a name or '(')";

const messages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage({ expected, actual }) {
    return `expected ${expected.LABEL ?? expected.name} but found ${describe(actual)}`;
  },
  buildNotAllInputParsedMessage({ firstRedundant }) {
    return `unexpected ${describe(firstRedundant)} after a complete expression`;
  },
  buildNoViableAltMessage({ expectedPathsPerAlt, actual }) {
    // Say what could come next: a value, a field name after '.', or the word after NOT.
    const first = new Set(expectedPathsPerAlt.flatMap((alt) => alt.map((path) => path[0])));
    if (first.has(T.NumberLiteral)) return `${EXPECTED_VALUE} but found ${describe(actual[0])}`;
    if (first.has(T.Identifier)) return `expected a field name but found ${describe(actual[0])}`;
    const names = [...first].filter((t) => t !== undefined).map((t) => t.LABEL ?? t.name);
    const list = names.length > 1 ? `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}` : (names[0] ?? 'more input');
    return `expected ${list} but found ${describe(actual[0])}`;
  },
  buildEarlyExitMessage({ actual }) {
    // The only mandatory repetition is the list of IN (…).
    return `${EXPECTED_VALUE} but found ${describe(actual[0])}`;
  },
};

/**
 * Parsing recurses once per nesting level (parentheses, calls, brackets, `?:`, prefix operators),
 * about seventy stack frames per parenthesis; without a limit `((((…` overflows the stack and
 * throws a RangeError instead of a diagnostic. No hand-written rule comes close to this.
 */
export const MAX_NESTING = 64;
/**
 * Checking, generating and the JavaScript engine's own parser recurse once per AST level, so a
 * chain such as `a + b + c …` is bounded too.
 */
export const MAX_DEPTH = 128;

/** Thrown out of the parser (Chevrotain passes non-recognition errors through) when nesting exceeds MAX_NESTING. */
class NestingTooDeep extends Error {
  readonly token: IToken;
  constructor(token: IToken) {
    super('nesting too deep');
    this.token = token;
  }
}

const COMPARISON: ReadonlyMap<TokenType, BinaryOperator> = new Map([
  [T.EqualEqual, '=='], [T.Equal, '=='], [T.NotEqual, '!='], [T.Less, '<'],
  [T.LessEqual, '<='], [T.Greater, '>'], [T.GreaterEqual, '>='],
]);

class ExpressionParser extends EmbeddedActionsParser {
  /** Current nesting; reset before each parse (an aborted parse leaves it raised). */
  nesting = 0;

  constructor() {
    super(T.allTokens, { errorMessageProvider: messages, maxLookahead: 2 });
    this.performSelfAnalysis();
  }

  private enter(): void {
    if (++this.nesting > MAX_NESTING) throw new NestingTooDeep(this.LA(1));
  }

  expression = this.RULE('expression', (): Node => this.SUBRULE(this.conditional));

  /** Every parenthesis, argument, index, IN item and `?:` branch comes through here. */
  private conditional = this.RULE('conditional', (): Node => {
    this.enter();
    const test = this.SUBRULE(this.disjunction);
    let result = test;
    this.OPTION(() => {
      this.CONSUME(T.Question);
      const consequent = this.SUBRULE(this.conditional);
      this.CONSUME(T.Colon);
      const alternate = this.SUBRULE2(this.conditional);
      result = this.ACTION(() => ({ kind: 'conditional', test, consequent, alternate, span: join(test, alternate) }) as Node);
    });
    this.nesting--;
    return result;
  });

  private disjunction = this.RULE('disjunction', (): Node => {
    let left = this.SUBRULE(this.conjunction);
    this.MANY(() => {
      const operator = this.OR([{ ALT: () => this.CONSUME(T.OrOr) }, { ALT: () => this.CONSUME(T.Or) }]);
      const right = this.SUBRULE2(this.conjunction);
      left = this.ACTION(() => ({ kind: 'logical', operator: '||', left, right, operatorSpan: spanOf(operator), span: join(left, right) }) as Node);
    });
    return left;
  });

  private conjunction = this.RULE('conjunction', (): Node => {
    let left = this.SUBRULE(this.negation);
    this.MANY(() => {
      const operator = this.OR([{ ALT: () => this.CONSUME(T.AndAnd) }, { ALT: () => this.CONSUME(T.And) }]);
      const right = this.SUBRULE2(this.negation);
      left = this.ACTION(() => ({ kind: 'logical', operator: '&&', left, right, operatorSpan: spanOf(operator), span: join(left, right) }) as Node);
    });
    return left;
  });

  private negation = this.RULE('negation', (): Node =>
    this.OR([
      {
        ALT: () => {
          const operator = this.OR2([{ ALT: () => this.CONSUME(T.Bang) }, { ALT: () => this.CONSUME(T.Not) }]);
          this.enter();
          const operand = this.SUBRULE(this.negation);
          this.nesting--;
          return this.ACTION(() => ({ kind: 'unary', operator: '!', operand, span: { start: operator.startOffset, end: operand.span.end } }) as Node);
        },
      },
      { ALT: () => this.SUBRULE(this.comparison) },
    ]),
  );

  private comparison = this.RULE('comparison', (): Node => {
    let left = this.SUBRULE(this.predicate);
    this.MANY(() => {
      const operator = this.OR([
        { ALT: () => this.CONSUME(T.EqualEqual) },
        { ALT: () => this.CONSUME(T.Equal) },
        { ALT: () => this.CONSUME(T.NotEqual) },
        { ALT: () => this.CONSUME(T.LessEqual) },
        { ALT: () => this.CONSUME(T.GreaterEqual) },
        { ALT: () => this.CONSUME(T.Less) },
        { ALT: () => this.CONSUME(T.Greater) },
      ]);
      const right = this.SUBRULE2(this.predicate);
      left = this.ACTION(() => ({
        kind: 'binary', operator: COMPARISON.get(operator.tokenType)!, left, right, operatorSpan: spanOf(operator), span: join(left, right),
      }) as Node);
    });
    return left;
  });

  /** `x [NOT] IN (…)`, `x [NOT] LIKE p`, `x [NOT] BETWEEN a AND b`. */
  private predicate = this.RULE('predicate', (): Node => {
    const value = this.SUBRULE(this.additive);
    let result = value;
    this.OPTION(() => {
      let negated = false;
      this.OPTION2(() => {
        this.CONSUME(T.Not);
        negated = true;
      });
      this.OR([
        {
          ALT: () => {
            this.CONSUME(T.In);
            this.CONSUME(T.LParen);
            const list: Node[] = [];
            this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => list.push(this.SUBRULE(this.conditional)) });
            const close = this.CONSUME(T.RParen);
            result = this.ACTION(() => ({ kind: 'in', negated, value, list, span: join(value, spanOf(close)) }) as Node);
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.Like);
            const pattern = this.SUBRULE2(this.additive);
            result = this.ACTION(() => ({ kind: 'like', negated, value, pattern, span: join(value, pattern) }) as Node);
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.Between);
            const low = this.SUBRULE3(this.additive);
            this.CONSUME(T.And);
            const high = this.SUBRULE4(this.additive);
            result = this.ACTION(() => ({ kind: 'between', negated, value, low, high, span: join(value, high) }) as Node);
          },
        },
      ]);
    });
    return result;
  });

  private additive = this.RULE('additive', (): Node => {
    let left = this.SUBRULE(this.multiplicative);
    this.MANY(() => {
      const operator = this.OR([{ ALT: () => this.CONSUME(T.Plus) }, { ALT: () => this.CONSUME(T.Minus) }]);
      const right = this.SUBRULE2(this.multiplicative);
      left = this.ACTION(() => ({
        kind: 'binary', operator: operator.image as BinaryOperator, left, right, operatorSpan: spanOf(operator), span: join(left, right),
      }) as Node);
    });
    return left;
  });

  private multiplicative = this.RULE('multiplicative', (): Node => {
    let left = this.SUBRULE(this.unary);
    this.MANY(() => {
      const operator = this.OR([
        { ALT: () => this.CONSUME(T.Star) },
        { ALT: () => this.CONSUME(T.Slash) },
        { ALT: () => this.CONSUME(T.Percent) },
      ]);
      const right = this.SUBRULE2(this.unary);
      left = this.ACTION(() => ({
        kind: 'binary', operator: operator.image as BinaryOperator, left, right, operatorSpan: spanOf(operator), span: join(left, right),
      }) as Node);
    });
    return left;
  });

  private unary = this.RULE('unary', (): Node =>
    this.OR([
      {
        ALT: () => {
          const minus = this.CONSUME(T.Minus);
          this.enter();
          const operand = this.SUBRULE(this.unary);
          this.nesting--;
          return this.ACTION(() => ({ kind: 'unary', operator: '-', operand, span: { start: minus.startOffset, end: operand.span.end } }) as Node);
        },
      },
      { ALT: () => this.SUBRULE(this.postfix) },
    ]),
  );

  private postfix = this.RULE('postfix', (): Node => {
    let object = this.SUBRULE(this.primary);
    this.MANY(() => {
      this.OR([
        {
          ALT: () => {
            this.CONSUME(T.Dot);
            // After a dot any word is a field name, keywords included (`tags.in`).
            const name = this.OR2([
              { ALT: () => this.CONSUME(T.Identifier) },
              ...T.keywordTokens.map((token) => ({ ALT: () => this.CONSUME2(token) })),
            ]);
            object = this.ACTION(() => ({
              kind: 'member', object, property: name.image, propertySpan: spanOf(name), span: join(object, spanOf(name)),
            }) as Node);
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.LBracket);
            const index = this.SUBRULE(this.conditional);
            const close = this.CONSUME(T.RBracket);
            object = this.ACTION(() => ({ kind: 'index', object, index, span: join(object, spanOf(close)) }) as Node);
          },
        },
      ]);
    });
    return object;
  });

  private primary = this.RULE('primary', (): Node =>
    this.OR([
      { ALT: () => this.literal(this.CONSUME(T.NumberLiteral), 'number') },
      { ALT: () => this.literal(this.CONSUME(T.StringLiteral), 'string') },
      { ALT: () => this.literal(this.CONSUME(T.True), true) },
      { ALT: () => this.literal(this.CONSUME(T.False), false) },
      { ALT: () => this.literal(this.CONSUME(T.Null), null) },
      {
        ALT: () => {
          const open = this.CONSUME(T.LParen);
          const inner = this.SUBRULE(this.conditional);
          const close = this.CONSUME(T.RParen);
          // Keep the parentheses in the span so carets cover what the user wrote.
          return this.ACTION(() => ({ ...inner, span: { start: open.startOffset, end: close.startOffset + 1 } }) as Node);
        },
      },
      {
        ALT: () => {
          const name = this.CONSUME2(T.Identifier);
          let result: Node | undefined;
          this.OPTION(() => {
            this.CONSUME2(T.LParen);
            const args: Node[] = [];
            this.MANY_SEP({ SEP: T.Comma, DEF: () => args.push(this.SUBRULE2(this.conditional)) });
            const close = this.CONSUME2(T.RParen);
            result = this.ACTION(() => ({
              kind: 'call', callee: name.image, calleeSpan: spanOf(name), args, span: { start: name.startOffset, end: close.startOffset + 1 },
            }) as Node);
          });
          return this.ACTION(() => result ?? ({ kind: 'name', name: name.image, span: spanOf(name) } as Node));
        },
      },
    ]),
  );

  private literal(token: IToken, value: 'number' | 'string' | LiteralValue): Node {
    return this.ACTION(() => {
      let literal: LiteralValue = value;
      if (value === 'number') literal = Number(token.image);
      else if (value === 'string') literal = unescapeString(token.image);
      return { kind: 'literal', value: literal, span: spanOf(token) } as Node;
    });
  }
}

/**
 * Backslash escapes as in JavaScript; an unknown escape such as `\*` is kept as written so that
 * LIKE patterns can escape their wildcards.
 */
export function unescapeString(image: string): string {
  const body = image.slice(1, -1);
  if (!body.includes('\\')) return body;
  return body.replace(/\\(u\{[0-9a-fA-F]{1,6}\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)/g, (whole, escape: string) => {
    switch (escape[0]) {
      case 'n': return '\n';
      case 't': return '\t';
      case 'r': return '\r';
      case 'b': return '\b';
      case 'f': return '\f';
      case 'v': return '\v';
      case '0': return escape.length === 1 ? '\0' : whole;
      case '\\': return '\\';
      case "'": return "'";
      case '"': return '"';
      case 'u':
      case 'x': {
        if (escape.length === 1) return whole;
        const hex = escape[1] === '{' ? escape.slice(2, -1) : escape.slice(1);
        const code = parseInt(hex, 16);
        return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
      }
      default: return whole;
    }
  });
}

const parser = new ExpressionParser();

export interface ParseResult {
  ast: Node | null;
  problems: Problem[];
}

/** Parses tokens into an AST; syntax errors come back as problems, never as exceptions. */
export function parseTokens(tokens: IToken[], source: string): ParseResult {
  if (tokens.length === 0) {
    return {
      ast: null,
      problems: [{ code: 'empty-expression', message: 'the expression is empty', span: { start: 0, end: Math.max(1, source.length) }, hint: "write a condition such as value > 80" }],
    };
  }
  parser.input = tokens;
  parser.nesting = 0;
  let ast: Node;
  try {
    ast = parser.expression();
  } catch (error) {
    if (!(error instanceof NestingTooDeep)) throw error;
    const at = Number.isNaN(error.token.startOffset) ? { start: source.length, end: source.length + 1 } : spanOf(error.token);
    return { ast: null, problems: [tooDeep(at, `the expression nests more than ${MAX_NESTING} levels deep`)] };
  }
  const problems: Problem[] = [];
  // Chevrotain stops at the first error without recovery; one syntax error is what we report.
  const error = parser.errors[0];
  if (error) {
    const token = error.token;
    const atEnd = token.tokenType === EOF || Number.isNaN(token.startOffset);
    const start = atEnd ? source.trimEnd().length : token.startOffset;
    problems.push({
      code: atEnd ? 'unexpected-end' : 'syntax-error',
      message: error.message,
      span: { start, end: atEnd ? start + 1 : start + token.image.length },
      hint: syntaxHint(error.message, token, atEnd),
    });
    return { ast: null, problems };
  }
  const deep = nodeDeeperThan(ast, MAX_DEPTH);
  if (deep) return { ast: null, problems: [tooDeep(deep.span, `the expression is more than ${MAX_DEPTH} operators deep`)] };
  return { ast, problems };
}

function tooDeep(span: Span, message: string): Problem {
  return {
    code: 'too-deep',
    message,
    span,
    hint: 'simplify it: drop redundant parentheses, use IN (…) instead of a long chain of OR, or split it into several rules',
  };
}

function syntaxHint(message: string, token: IToken, atEnd: boolean): string {
  if (message.startsWith("expected ')'")) return "close the '(' with ')'";
  if (message.startsWith('expected IN')) return "NOT here must be followed by IN (…), LIKE '…' or BETWEEN a AND b; to negate a condition write NOT before it";
  if (message.startsWith('expected a field name')) return "write a name after the dot, or tags['key'] for a key with other characters";
  if (message.startsWith("expected ']'")) return "close the '[' with ']'";
  if (message.startsWith("expected ':'")) return "a conditional is written test ? then : otherwise";
  if (atEnd) return 'the expression stops too early; finish it';
  if (token.tokenType === T.Equal || token.tokenType === T.EqualEqual) return "compare two values: left == right";
  if (token.tokenType === T.Identifier || token.tokenType === T.StringLiteral || token.tokenType === T.NumberLiteral) {
    return 'two values need an operator between them (&&, ||, ==, +, …)';
  }
  return 'check the operators and parentheses around this point';
}
