/**
 * What one render sees: the event, the settings of the receiving side, and values computed at
 * most once per render (the Handlebars view, the expanded message). Reads are own-property only
 * and never throw: a missing field is null, so a malformed event gives nulls, not a failed send.
 */
import type { TocsinEvent } from '../model/event.js';

/** Values that come from the configuration rather than the event (SPEC §5; the Portal seed's organization variables). */
export interface RenderSettings {
  /** `#organization_id`. */
  organizationId?: string | null;
  /** `#organization_name`. */
  organizationName?: string | null;
  /** Base URL of this tocsin as users reach it (`#external_url`), for links back. */
  externalUrl?: string | null;
  /** Name of the webhook that receives the body (`#receiver`). */
  receiver?: string | null;
  /** The webhook's template parameters (`#params.name`), e.g. the PagerDuty routing_key. */
  params?: Readonly<Record<string, string>>;
}

export interface RenderContext {
  readonly event: TocsinEvent;
  readonly settings: RenderSettings;
  /** The Handlebars context, built on first use. */
  view?: Record<string, unknown>;
  /** The rule message with its #variables expanded, on first use. */
  message?: string;
}

export type Getter = (ctx: RenderContext) => unknown;

export function own(obj: unknown, key: string): unknown {
  return obj !== null && typeof obj === 'object' && Object.hasOwn(obj, key) ? (obj as Record<string, unknown>)[key] : undefined;
}

const pathGetters = new Map<string, Getter>();

/**
 * A getter for a path into the event, specialised for the short paths every variable has. The
 * same path gives the same function, so a body that writes one field under several names
 * (`#entity`, `#entity.name`, `#alert_element`) reads and encodes it once per render (emit.ts).
 */
export function pathGetter(path: readonly string[]): Getter {
  const key = path.join('\u0000');
  let getter = pathGetters.get(key);
  if (getter === undefined) {
    getter = newPathGetter(path);
    pathGetters.set(key, getter);
  }
  return getter;
}

function newPathGetter(path: readonly string[]): Getter {
  const [a, b, c] = path;
  if (path.length === 1 && a !== undefined) return (ctx) => own(ctx.event, a);
  if (path.length === 2 && a !== undefined && b !== undefined) return (ctx) => own(own(ctx.event, a), b);
  if (path.length === 3 && a !== undefined && b !== undefined && c !== undefined) return (ctx) => own(own(own(ctx.event, a), b), c);
  return (ctx) => {
    let value: unknown = ctx.event;
    for (const key of path) value = own(value, key);
    return value;
  };
}

/**
 * A value inside text: missing values are empty (never the word "null"), numbers and booleans as
 * JSON writes them, objects and lists as JSON.
 */
export function toText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'object') return JSON.stringify(value);
  return '';
}

/** A value as a whole JSON leaf: undefined and non-finite numbers become null; containers are copied. */
export function toJsonValue(value: unknown): unknown {
  if (value === undefined) return null;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (value !== null && typeof value === 'object') return copyJson(value);
  if (typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint') return null;
  return value;
}

/** A deep copy of JSON data: the body never shares objects with the event (the notifier gets copies). */
export function copyJson(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return toJsonValue(value);
  if (Array.isArray(value)) return value.map(copyJson);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const copied = copyJson((value as Record<string, unknown>)[key]);
    if (key === '__proto__') Object.defineProperty(out, key, { value: copied, enumerable: true, writable: true, configurable: true });
    else out[key] = copied;
  }
  return out;
}
