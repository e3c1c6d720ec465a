import { describe, expect, it } from 'vitest';
import { checkMessage } from '../../src/templates/message.js';

describe("a rule's message is checked like a template", () => {
  it('accepts known variables, ## and text', () => {
    expect(checkMessage('CPU #value% on #entity (#entity.tags.env), ##ops, issue #42')).toEqual([]);
  });

  it('reports unknown names with did you mean, at their offset', () => {
    expect(checkMessage('hot on #entty now')).toEqual([
      expect.objectContaining({ code: 'unknown-variable', message: "unknown variable '#entty' (did you mean '#entity'?)", span: { start: 7, end: 13 } }),
    ]);
  });

  it('a message cannot include itself', () => {
    expect(checkMessage('see #message').map((p) => p.code)).toEqual(['message-includes-itself']);
  });

  it('checks against the event types given', () => {
    expect(checkMessage('#error', ['rule.error'])).toEqual([]);
    expect(checkMessage('#open_time', ['alert.open', 'rule.error']).map((p) => p.code)).toEqual(['variable-not-for-event']);
  });
});
