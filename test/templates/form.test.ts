import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { axibaseSigningString, encodeForm, flattenForm, formEncode, formSigningString, parseForm } from '../../src/templates/form.js';

describe('a rendered object flattened to dotted keys', () => {
  it('flattens objects and lists', () => {
    expect(flattenForm({ entity: { name: 'db-1', tags: { env: 'prod' } }, value: 3.5, ok: true, none: null, alerts: [{ status: 'firing' }, 'x'], empty: {}, list: [] })).toEqual([
      ['entity.name', 'db-1'],
      ['entity.tags.env', 'prod'],
      ['value', '3.5'],
      ['ok', 'true'],
      ['none', ''],
      ['alerts.0.status', 'firing'],
      ['alerts.1', 'x'],
    ]);
  });

  it('keeps dotted keys as they are (the flat preset)', () => {
    expect(flattenForm({ 'entity.label': 'DB', 'entity.tags': { 'image-name': 'db2' } })).toEqual([
      ['entity.label', 'DB'],
      ['entity.tags.image-name', 'db2'],
    ]);
  });

  it('a body that is not an object is one parameter named value', () => {
    expect(flattenForm('text')).toEqual([['value', 'text']]);
    expect(flattenForm(null)).toEqual([['value', '']]);
  });
});

describe('application/x-www-form-urlencoded', () => {
  it('encodes as URLSearchParams (and Java URLEncoder) do', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' })), { maxLength: 5 }), (pairs) => {
        expect(encodeForm(pairs)).toBe(new URLSearchParams(pairs).toString());
      }),
    );
  });

  it.each([
    ['a b', 'a+b'],
    ['*-._~', '*-._%7E'],
    ["!'()", '%21%27%28%29'],
    ['é/&=+', '%C3%A9%2F%26%3D%2B'],
    ['🚨', '%F0%9F%9A%A8'],
  ])('%j → %j', (text, encoded) => {
    expect(formEncode(text)).toBe(encoded);
  });

  it('parses back what it encodes', () => {
    const pairs: Array<[string, string]> = [['entity.tags.env', 'prod & test'], ['value', '3.5'], ['empty', '']];
    expect(parseForm(encodeForm(pairs))).toEqual(pairs);
  });
});

describe('the Axibase signing string of a form body', () => {
  it('sorts by name, URL-encodes names and values, joins name=value with &', () => {
    expect(axibaseSigningString([['status', 'OPEN'], ['entity', 'db 1'], ['entity.tags.env', 'prod/eu'], ['alert_type', 'OPEN']])).toBe(
      'alert_type=OPEN&entity=db+1&entity.tags.env=prod%2Feu&status=OPEN',
    );
  });

  it('sorts by code units as Java does (upper case before lower case), equal names keep their order', () => {
    expect(axibaseSigningString([['b', '1'], ['B', '2'], ['a', '3'], ['a', '0']])).toBe('B=2&a=3&a=0&b=1');
  });

  it('is the same whether computed from the pairs or from the body', () => {
    const pairs = flattenForm({ z: 1, a: { y: 'x y', b: [true] } });
    expect(formSigningString(encodeForm(pairs))).toBe(axibaseSigningString(pairs));
  });

  it('is what x-axi-signature signs: sha1=<hex HMAC-SHA1>', () => {
    const signed = axibaseSigningString([['value', '1'], ['entity', 'e']]);
    const signature = createHmac('sha1', 'secret').update(signed).digest('hex');
    expect(signed).toBe('entity=e&value=1');
    expect(signature).toMatch(/^[0-9a-f]{40}$/);
  });
});
