/**
 * Reading columns with their types checked: node:sqlite hands back `unknown`-ish values, and a
 * column that does not hold what the schema says is a corrupt store, reported by name.
 */
import type { Row } from './connection.js';

function corrupt(column: string, expected: string, value: unknown): Error {
  return new Error(`store: column ${column} holds ${value === null ? 'null' : typeof value}, expected ${expected}`);
}

export function text(row: Row, column: string): string {
  const value = row[column];
  if (typeof value !== 'string') throw corrupt(column, 'text', value);
  return value;
}

export function textOrNull(row: Row, column: string): string | null {
  const value = row[column];
  if (value === null) return null;
  if (typeof value !== 'string') throw corrupt(column, 'text or null', value);
  return value;
}

/** An INTEGER column (epoch ms, ids, counts); also reads REAL values. */
export function integer(row: Row, column: string): number {
  const value = row[column];
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  throw corrupt(column, 'a number', value);
}

export function integerOrNull(row: Row, column: string): number | null {
  return row[column] === null ? null : integer(row, column);
}

export function realOrNull(row: Row, column: string): number | null {
  return row[column] === null ? null : integer(row, column);
}

export function bool(row: Row, column: string): boolean {
  return integer(row, column) !== 0;
}

/** Parses a JSON text column; null stays null. */
export function json(row: Row, column: string): unknown {
  const value = textOrNull(row, column);
  return value === null ? null : (JSON.parse(value) as unknown);
}

/** JSON text for a column; `undefined` is stored as JSON null so a column never holds nothing. */
export function toJson(value: unknown): string {
  return JSON.stringify(value ?? null);
}

/** JSON text or SQL NULL for optional columns. */
export function toJsonOrNull(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value);
}

/** Upper bound for list queries, so a missing `limit` from the API cannot read a whole table. */
export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 10_000;

export function clampLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return DEFAULT_LIMIT;
  return Math.max(1, Math.min(MAX_LIMIT, Math.floor(limit)));
}

/**
 * WHERE clause from optional filters: `['webhook = :webhook', 'webhook', value]` entries whose value
 * is undefined are left out. SQL is built only from the constant fragments given here, so the
 * statement cache holds at most one statement per combination of filters.
 */
export function where(filters: Array<[fragment: string, name: string, value: string | number | undefined]>): {
  sql: string;
  parameters: Record<string, string | number>;
} {
  const parts: string[] = [];
  const parameters: Record<string, string | number> = {};
  for (const [fragment, name, value] of filters) {
    if (value === undefined) continue;
    parts.push(fragment);
    parameters[name] = value;
  }
  return { sql: parts.length === 0 ? '' : `WHERE ${parts.join(' AND ')}`, parameters };
}
