/**
 * API validation errors → messages next to form fields. The webhooks API answers a 400 with
 * `details: [{pointer, message, hint}]` (JSON pointers into the body); a plain schema failure may
 * carry ajv errors (`instancePath`, `params.missingProperty`) instead. Both become `FieldProblem`s.
 */
export interface FieldProblem {
  pointer: string;
  message: string;
  hint?: string;
}

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

function fromEntry(entry: unknown): FieldProblem | null {
  if (!isObject(entry)) return null;
  const message = typeof entry.message === 'string' ? entry.message : null;
  if (message === null) return null;
  const hint = typeof entry.hint === 'string' ? entry.hint : undefined;
  let pointer = typeof entry.pointer === 'string' ? entry.pointer : typeof entry.instancePath === 'string' ? entry.instancePath : '';
  // ajv reports a missing property at its parent; the field that should hold it is the place to say so.
  const params = isObject(entry.params) ? entry.params : {};
  if (typeof entry.pointer !== 'string' && typeof params.missingProperty === 'string') pointer = `${pointer}/${params.missingProperty}`;
  if (typeof entry.pointer !== 'string' && typeof params.additionalProperty === 'string') pointer = `${pointer}/${params.additionalProperty}`;
  return hint === undefined ? { pointer, message } : { pointer, message, hint };
}

export function fieldProblems(details: unknown): FieldProblem[] {
  const list = Array.isArray(details) ? details : isObject(details) && Array.isArray(details.problems) ? details.problems : [];
  return list.map(fromEntry).filter((p): p is FieldProblem => p !== null);
}

/**
 * The field a pointer belongs to: the longest known field pointer equal to it or a prefix of it at
 * a segment boundary (`/auth/password` → `/auth/password`; `/headers/X-Team` → `/headers`;
 * `/events/2` → `/events`). Null when none matches (shown in the summary only).
 */
export function fieldForPointer(pointer: string, fields: readonly string[]): string | null {
  let best: string | null = null;
  for (const field of fields) {
    const matches = pointer === field || pointer.startsWith(`${field}/`);
    if (matches && (best === null || field.length > best.length)) best = field;
  }
  return best;
}

/** `/auth/password` → `auth.password`, for the summary line of problems without a field. */
export function pointerLabel(pointer: string): string {
  if (pointer === '') return 'the webhook';
  return pointer
    .slice(1)
    .split('/')
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');
}
