/**
 * Where a JSON text goes wrong. JSON.parse does the parsing; when it throws, its message does not
 * always carry a position (V8 often quotes the text instead), so this recogniser walks the text
 * again and names the offset and what was expected there. It runs only on bodies that failed, so it
 * is written for clarity; it keeps its own stack so deep nesting cannot overflow the call stack.
 */

export interface JsonSyntaxProblem {
  /** 0-based offset of the offending character (the text's length for an early end). */
  offset: number;
  message: string;
}

/** What the recogniser accepts next. */
const EXPECT = {
  value: 0,
  arrayFirst: 1,
  arrayNext: 2,
  objectFirstKey: 3,
  objectKey: 4,
  objectColon: 5,
  objectNext: 6,
} as const;
type Expect = (typeof EXPECT)[keyof typeof EXPECT];

const describe = (text: string, offset: number): string =>
  offset >= text.length ? 'the end of the input' : `'${text.charAt(offset)}'`;

function skipWhitespace(text: string, i: number): number {
  for (;;) {
    const code = text.charCodeAt(i);
    if (code !== 32 && code !== 9 && code !== 10 && code !== 13) return i;
    i++;
  }
}

/** The end of the string starting at the quote `start`, or a problem. */
function scanString(text: string, start: number): number | JsonSyntaxProblem {
  let i = start + 1;
  for (;;) {
    if (i >= text.length) return { offset: text.length, message: 'unterminated string' };
    const code = text.charCodeAt(i);
    if (code === 34) return i + 1;
    if (code < 32) return { offset: i, message: 'control character in a string (write it as \\n, \\t or \\u00XX)' };
    if (code === 92) {
      const escape = text.charAt(i + 1);
      if (escape === 'u') {
        if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) return { offset: i, message: 'bad \\u escape (needs four hex digits)' };
        i += 6;
      } else if (escape !== '' && '"\\/bfnrt'.includes(escape)) {
        i += 2;
      } else {
        return { offset: i, message: `bad escape '\\${escape}' in a string` };
      }
    } else {
      i++;
    }
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/** The end of the scalar value at `i`, or a problem. */
function scanScalar(text: string, i: number): number | JsonSyntaxProblem {
  const code = text.charCodeAt(i);
  if (code === 34) return scanString(text, i);
  for (const literal of ['true', 'false', 'null']) {
    if (text.startsWith(literal, i)) return i + literal.length;
  }
  if (code === 45 || (code >= 48 && code <= 57)) {
    NUMBER.lastIndex = i;
    if (NUMBER.test(text)) return NUMBER.lastIndex;
    return { offset: i, message: 'malformed number' };
  }
  return { offset: i, message: `expected a value but found ${describe(text, i)}` };
}

/** The first syntax error of `text`, or null when it is valid JSON. */
export function findJsonSyntaxError(text: string): JsonSyntaxProblem | null {
  const stack: ('array' | 'object')[] = [];
  let expect: Expect = EXPECT.value;
  let i = 0;
  for (;;) {
    i = skipWhitespace(text, i);
    const char = text.charAt(i);
    switch (expect) {
      case EXPECT.arrayFirst:
      case EXPECT.value: {
        if (expect === EXPECT.arrayFirst && char === ']') {
          stack.pop();
          i++;
          break;
        }
        if (char === '[') {
          stack.push('array');
          expect = EXPECT.arrayFirst;
          i++;
          continue;
        }
        if (char === '{') {
          stack.push('object');
          expect = EXPECT.objectFirstKey;
          i++;
          continue;
        }
        const end = scanScalar(text, i);
        if (typeof end !== 'number') return end;
        i = end;
        break;
      }
      case EXPECT.objectFirstKey:
      case EXPECT.objectKey: {
        if (expect === EXPECT.objectFirstKey && char === '}') {
          stack.pop();
          i++;
          break;
        }
        if (char !== '"') return { offset: i, message: `expected a property name in double quotes but found ${describe(text, i)}` };
        const end = scanString(text, i);
        if (typeof end !== 'number') return end;
        i = end;
        expect = EXPECT.objectColon;
        continue;
      }
      case EXPECT.objectColon:
        if (char !== ':') return { offset: i, message: `expected ':' after a property name but found ${describe(text, i)}` };
        i++;
        expect = EXPECT.value;
        continue;
      case EXPECT.arrayNext:
        if (char === ',') {
          i++;
          expect = EXPECT.value;
          continue;
        }
        if (char !== ']') return { offset: i, message: `expected ',' or ']' after an array item but found ${describe(text, i)}` };
        stack.pop();
        i++;
        break;
      case EXPECT.objectNext:
        if (char === ',') {
          i++;
          expect = EXPECT.objectKey;
          continue;
        }
        if (char !== '}') return { offset: i, message: `expected ',' or '}' after a property value but found ${describe(text, i)}` };
        stack.pop();
        i++;
        break;
    }
    // A value just ended: what may follow depends on the container it sits in.
    const container = stack[stack.length - 1];
    if (container === undefined) {
      i = skipWhitespace(text, i);
      return i === text.length ? null : { offset: i, message: `unexpected ${describe(text, i)} after the end of the JSON value` };
    }
    expect = container === 'array' ? EXPECT.arrayNext : EXPECT.objectNext;
  }
}
