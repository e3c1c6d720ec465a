/**
 * A rule's `message:` may use #variables too (schemas/rules.schema.json); they are expanded when
 * the message is rendered (#message in a template). The rule loader checks them here, so a
 * misspelt name is a load error, as in templates.
 */
import { ALERT_EVENT_TYPES, type EventType } from '../model/event.js';
import type { Problem } from '../parser/diagnostics.js';
import * as problems from './problems.js';
import { resolveToken, scanTokens } from './tokens.js';
import { variablesFor } from './variables.js';

const SELF = new Set(['message', 'alert_information', 'data']);

/** Problems of the message's #variables; spans are offsets in `text`. */
export function checkMessage(text: string, eventTypes: readonly EventType[] = ALERT_EVENT_TYPES): Problem[] {
  const found: Problem[] = [];
  for (const piece of scanTokens(text)) {
    if (piece.kind !== 'token') continue;
    const span = { start: piece.start, end: piece.end };
    const present: EventType[] = [];
    const missing: EventType[] = [];
    const candidates = new Set<string>();
    for (const type of eventTypes) {
      const table = variablesFor(type);
      const resolved = resolveToken(piece.name, table);
      if (resolved === null) {
        missing.push(type);
        for (const name of table.names) if (!SELF.has(name)) candidates.add(name);
      } else if (SELF.has(resolved.variable.name)) {
        found.push({ code: 'message-includes-itself', message: `a message cannot include '#${piece.name}'`, span, hint: 'write the text itself, or use ## for a literal #' });
        break;
      } else present.push(type);
    }
    if (missing.length === 0) continue;
    found.push(present.length === 0 ? problems.unknownVariable(piece.name, span, candidates) : problems.variableNotForEvent(piece.name, span, missing, present));
  }
  return found;
}
