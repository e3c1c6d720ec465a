/**
 * JSON request bodies of the admin API. fastify's own parser refuses `__proto__` keys (and
 * `constructor.prototype`) as "not valid JSON", which is untrue and says nowhere where the key is.
 * This parser refuses the same keys — code that assigns by key could change an object's prototype
 * through them — with the JSON pointer of the first one, so every refusal of an object is positioned
 * (issue 14 item 9).
 */
import { ApiError } from './errors.js';

const escapePointer = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object';

/** The pointer of the first key that could reach a prototype, or null (iterative: no recursion on deep bodies). */
function prototypeKey(root: unknown): string | null {
  const stack: Array<[unknown, string]> = [[root, '']];
  while (stack.length > 0) {
    const [value, pointer] = stack.pop()!;
    if (!isObject(value)) continue;
    for (const key of Object.keys(value)) {
      const child = value[key];
      const at = `${pointer}/${escapePointer(key)}`;
      if (key === '__proto__') return at;
      if (key === 'constructor' && isObject(child) && Object.hasOwn(child, 'prototype')) return at;
      stack.push([child, at]);
    }
  }
  return null;
}

export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') {
    throw new ApiError(400, 'invalid_json', 'the body is empty but its content type is application/json', {
      hint: 'send a JSON document, or no content type',
    });
  }
  // A SyntaxError goes to the app's error handler, which answers 400 invalid_json with its position.
  const value: unknown = JSON.parse(text);
  const pointer = prototypeKey(value);
  if (pointer !== null) {
    const key = pointer.slice(pointer.lastIndexOf('/') + 1);
    const message = `the key '${key === '__proto__' ? key : 'constructor.prototype'}' at ${pointer} is not accepted`;
    throw new ApiError(400, 'forbidden_key', message, {
      hint: 'no tocsin object has such a field: remove it (keys that reach an object prototype are refused everywhere)',
      details: [{ pointer, code: 'forbidden-key', message }],
    });
  }
  return value;
}
