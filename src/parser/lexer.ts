/**
 * Tokens of the expression language. Keywords are case-insensitive and come before Identifier,
 * with `longer_alt` so that `android` is an identifier and not `AND` + `roid`.
 */
import { createToken, Lexer, type IToken, type TokenType } from 'chevrotain';
import type { Problem } from './diagnostics.js';

export const Identifier = createToken({ name: 'Identifier', pattern: /[A-Za-z_][A-Za-z0-9_]*/ });

function keyword(name: string): TokenType {
  return createToken({ name, pattern: new RegExp(name, "i"), longer_alt: Identifier });
}

export const And = keyword('AND');
export const Or = keyword('OR');
export const Not = keyword('NOT');
export const In = keyword('IN');
export const Like = keyword('LIKE');
export const Between = keyword('BETWEEN');
export const True = keyword('TRUE');
export const False = keyword('FALSE');
export const Null = keyword('NULL');

export const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /[ \t\r\n]+/, group: Lexer.SKIPPED });
export const NumberLiteral = createToken({
  name: 'NumberLiteral',
  pattern: /(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/,
});
export const StringLiteral = createToken({
  name: 'StringLiteral',
  pattern: /'(?:[^'\\\n]|\\[^\n])*'|"(?:[^"\\\n]|\\[^\n])*"/,
});
/** A quote that never closes; lexed as a token so the error can say so instead of "unexpected character". */
export const UnterminatedString = createToken({
  name: 'UnterminatedString',
  pattern: /'(?:[^'\\\n]|\\[^\n])*\\?|"(?:[^"\\\n]|\\[^\n])*\\?/,
});

export const AndAnd = createToken({ name: 'AndAnd', pattern: '&&', label: "'&&'" });
export const OrOr = createToken({ name: 'OrOr', pattern: '||', label: "'||'" });
export const EqualEqual = createToken({ name: 'EqualEqual', pattern: '==', label: "'=='" });
export const NotEqual = createToken({ name: 'NotEqual', pattern: /!=|<>/, label: "'!='" });
export const LessEqual = createToken({ name: 'LessEqual', pattern: '<=', label: "'<='" });
export const GreaterEqual = createToken({ name: 'GreaterEqual', pattern: '>=', label: "'>='" });
export const Equal = createToken({ name: 'Equal', pattern: '=', label: "'='" });
export const Less = createToken({ name: 'Less', pattern: '<', label: "'<'" });
export const Greater = createToken({ name: 'Greater', pattern: '>', label: "'>'" });
export const Bang = createToken({ name: 'Bang', pattern: '!', label: "'!'" });
export const Plus = createToken({ name: 'Plus', pattern: '+', label: "'+'" });
export const Minus = createToken({ name: 'Minus', pattern: '-', label: "'-'" });
export const Star = createToken({ name: 'Star', pattern: '*', label: "'*'" });
export const Slash = createToken({ name: 'Slash', pattern: '/', label: "'/'" });
export const Percent = createToken({ name: 'Percent', pattern: '%', label: "'%'" });
export const Question = createToken({ name: 'Question', pattern: '?', label: "'?'" });
export const Colon = createToken({ name: 'Colon', pattern: ':', label: "':'" });
export const LParen = createToken({ name: 'LParen', pattern: '(', label: "'('" });
export const RParen = createToken({ name: 'RParen', pattern: ')', label: "')'" });
export const LBracket = createToken({ name: 'LBracket', pattern: '[', label: "'['" });
export const RBracket = createToken({ name: 'RBracket', pattern: ']', label: "']'" });
export const Comma = createToken({ name: 'Comma', pattern: ',', label: "','" });
export const Dot = createToken({ name: 'Dot', pattern: '.', label: "'.'" });

export const keywordTokens = [And, Or, Not, In, Like, Between, True, False, Null];

export const allTokens: TokenType[] = [
  WhiteSpace,
  NumberLiteral,
  StringLiteral,
  UnterminatedString,
  AndAnd, OrOr, EqualEqual, NotEqual, LessEqual, GreaterEqual, Equal, Less, Greater, Bang,
  Plus, Minus, Star, Slash, Percent, Question, Colon, LParen, RParen, LBracket, RBracket, Comma,
  // A number like `.5` starts with a dot, so Dot comes after NumberLiteral.
  Dot,
  ...keywordTokens,
  Identifier,
];

const lexer = new Lexer(allTokens, { positionTracking: 'onlyOffset', ensureOptimizations: false });

export interface LexResult {
  tokens: IToken[];
  problems: Problem[];
}

export function tokenize(source: string): LexResult {
  const result = lexer.tokenize(source);
  const problems: Problem[] = [];
  for (const error of result.errors) {
    const text = source.slice(error.offset, error.offset + error.length);
    const first = text[0] ?? '';
    problems.push({
      code: 'unexpected-character',
      message: `unexpected character '${first}'`,
      span: { start: error.offset, end: error.offset + 1 },
      hint: hintForCharacter(first),
    });
  }
  const tokens: IToken[] = [];
  for (const token of result.tokens) {
    if (token.tokenType === UnterminatedString) {
      problems.push({
        code: 'unterminated-string',
        message: 'string is not closed',
        span: { start: token.startOffset, end: token.startOffset + 1 },
        hint: `add the closing ${token.image[0]} on the same line`,
      });
      continue;
    }
    tokens.push(token);
  }
  return { tokens, problems };
}

function hintForCharacter(character: string): string {
  switch (character) {
    case '&': return "use '&&' or AND";
    case '|': return "use '||' or OR";
    case '`': return "strings are written in '…' or \"…\"";
    case '$':
    case '@':
    case '#': return "names are plain words like value, entity.tags.env or tags['with-dash']";
    default: return 'remove it, or put it inside a string';
  }
}
