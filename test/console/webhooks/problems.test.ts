import { describe, expect, it } from 'vitest';
import { fieldForPointer, fieldProblems, pointerLabel } from '../../../src/console/webhooks/problems.js';

const FIELDS = ['/name', '/url', '/auth', '/auth/password', '/headers', '/events', '/retry/initial'];

describe('API validation errors land next to the field they name', () => {
  it.each([
    ['/url', '/url'],
    ['/auth/password', '/auth/password'],
    ['/auth/password/env', '/auth/password'],
    ['/auth/user', '/auth'],
    ['/headers/X-Team', '/headers'],
    ['/events/2', '/events'],
    ['/retry/initial', '/retry/initial'],
    ['/retry/max', null],
    ['/urlx', null],
    ['', null],
  ])('pointer %s → field %s', (pointer, fieldPointer) => {
    expect(fieldForPointer(pointer, FIELDS)).toBe(fieldPointer);
  });

  it('reads the API details and ajv errors alike', () => {
    expect(fieldProblems([
      { pointer: '/url', message: 'is not an http(s) URL', hint: 'start with https://' },
      { instancePath: '', keyword: 'required', params: { missingProperty: 'comment' }, message: "must have required property 'comment'" },
      { instancePath: '/auth', keyword: 'additionalProperties', params: { additionalProperty: 'pass' }, message: 'must NOT have additional properties' },
      { nothing: 'useful' },
      'text',
    ])).toEqual([
      { pointer: '/url', message: 'is not an http(s) URL', hint: 'start with https://' },
      { pointer: '/comment', message: "must have required property 'comment'" },
      { pointer: '/auth/pass', message: 'must NOT have additional properties' },
    ]);
    expect(fieldProblems({ problems: [{ pointer: '/x', message: 'm' }] })).toEqual([{ pointer: '/x', message: 'm' }]);
    expect(fieldProblems(undefined)).toEqual([]);
  });

  it('labels pointers without a field in the summary', () => {
    expect(pointerLabel('/retry/max')).toBe('retry.max');
    expect(pointerLabel('/headers/a~1b')).toBe('headers.a/b');
    expect(pointerLabel('')).toBe('the webhook');
  });
});
