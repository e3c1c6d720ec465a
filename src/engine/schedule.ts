/**
 * Notification schedules (`schedule: { days: mon-fri, hours: '08:00-18:00', timezone: Europe/Berlin }`):
 * outside the schedule a rule keeps its state but sends nothing (SPEC §4 "outside schedule").
 *
 * Decisions:
 * - Times are wall-clock times in the schedule's zone (luxon), so '08:00-18:00' follows DST.
 *   On the spring-forward day a range starting inside the skipped hour begins when the clock
 *   next shows a time in range; on the fall-back day the repeated hour counts twice.
 * - An overnight range ('22:00-06:00') belongs to the day it starts on, like a night shift:
 *   with `days: fri` it covers Friday 22:00 to Saturday 06:00, not Friday 00:00-06:00.
 *   It is stored as [start, end] with start > end.
 * - Ranges are half-open: '08:00-18:00' includes 08:00:00 and excludes 18:00:00.
 */
import { DateTime, IANAZone } from 'luxon';
import { closest } from '../parser/diagnostics.js';
import type { ScheduleSpec } from './rule.js';

export const MINUTES_PER_DAY = 1440;

/** The schedule as written in a rule file. */
export interface ScheduleInput {
  days?: string | string[];
  hours?: string | string[];
  timezone?: string;
}

export interface ScheduleError {
  /** The key of the schedule that is wrong, and the list index when it was a list. */
  field: 'days' | 'hours' | 'timezone';
  index?: number;
  message: string;
  hint?: string;
}

export type ScheduleResult = { ok: true; schedule: ScheduleSpec } | { ok: false; error: ScheduleError };

const DAY_NAMES = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const LONG_DAY_NAMES = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;

/** True when the instant falls inside the schedule. */
export function isWithinSchedule(spec: ScheduleSpec, epochMs: number): boolean {
  const local = DateTime.fromMillis(epochMs, { zone: spec.timezone });
  // parseSchedule only lets valid zones through; should one slip by, notify rather than go silent.
  if (!local.isValid) return true;
  const day = local.weekday;
  const previousDay = day === 1 ? 7 : day - 1;
  const minute = local.hour * 60 + local.minute;
  const today = spec.days.includes(day);
  const yesterday = spec.days.includes(previousDay);
  for (const [start, end] of spec.hours) {
    if (start < end) {
      if (today && minute >= start && minute < end) return true;
    } else if ((today && minute >= start) || (yesterday && minute < end)) {
      return true;
    }
  }
  return false;
}

/**
 * Validates and normalises a schedule. `days` and `hours` default to every day and all day;
 * `timezone` defaults to `defaultTimezone` (the rule's time zone).
 */
export function parseSchedule(input: ScheduleInput, defaultTimezone = 'UTC'): ScheduleResult {
  const timezone = input.timezone ?? defaultTimezone;
  const zoneError = checkTimezone(timezone);
  if (zoneError) return { ok: false, error: zoneError };

  const days = new Set<number>();
  for (const { item, index } of items(input.days ?? '*')) {
    const parsed = parseDayItem(item);
    if (typeof parsed === 'string') return { ok: false, error: withIndex({ field: 'days', message: parsed, hint: DAYS_HINT }, index) };
    for (const day of parsed) days.add(day);
  }

  const hours: Array<[number, number]> = [];
  for (const { item, index } of items(input.hours ?? '*')) {
    const parsed = parseHoursItem(item);
    if (typeof parsed === 'string') return { ok: false, error: withIndex({ field: 'hours', message: parsed, hint: HOURS_HINT }, index) };
    hours.push(parsed);
  }
  if (days.size === 0) return { ok: false, error: { field: 'days', message: 'the schedule has no days', hint: DAYS_HINT } };
  if (hours.length === 0) return { ok: false, error: { field: 'hours', message: 'the schedule has no hours', hint: HOURS_HINT } };

  return { ok: true, schedule: { days: [...days].sort((a, b) => a - b), hours, timezone } };
}

/** `mon-fri 08:00-18:00 Europe/Berlin`, for explanations ("not sent: outside schedule …"). */
export function formatSchedule(spec: ScheduleSpec): string {
  const days = spec.days.length === 7 ? '*' : spec.days.map((d) => DAY_NAMES[d - 1]).join(',');
  const hours = spec.hours.map(([start, end]) => (start === 0 && end === MINUTES_PER_DAY ? '*' : `${clock(start)}-${clock(end)}`)).join(',');
  return `${days} ${hours} ${spec.timezone}`;
}

// ---- parsing --------------------------------------------------------------------------------------

const DAYS_HINT = "write days as 'mon-fri', 'mon,wed,fri', a list such as [mon, wed], or '*' for every day";
const HOURS_HINT = "write hours as 'HH:MM-HH:MM' (e.g. '08:00-18:00', overnight '22:00-06:00'), a list of such ranges, or '*' for all day";

interface Item {
  item: string;
  /** Index in the YAML list, when the field was a list. */
  index?: number;
}

/** Splits 'a,b' and ['a', 'b,c'] into trimmed items, remembering list indexes for error positions. */
function* items(value: unknown): Generator<Item> {
  if (Array.isArray(value)) {
    for (const [index, element] of value.entries()) {
      for (const item of String(element).split(',')) yield { item: item.trim().toLowerCase(), index };
    }
  } else {
    for (const item of String(value).split(',')) yield { item: item.trim().toLowerCase() };
  }
}

function withIndex(error: ScheduleError, index: number | undefined): ScheduleError {
  return index === undefined ? error : { ...error, index };
}

function checkTimezone(timezone: unknown): ScheduleError | null {
  if (typeof timezone === 'string' && IANAZone.isValidZone(timezone)) return null;
  const text = String(timezone);
  const suggestion = typeof timezone === 'string' ? closest(timezone, Intl.supportedValuesOf('timeZone')) : null;
  return {
    field: 'timezone',
    message: `unknown time zone '${text}'`,
    hint: suggestion ? `did you mean '${suggestion}'?` : "use an IANA time zone name such as 'Europe/Berlin' or 'UTC'",
  };
}

function dayNumber(name: string): number | null {
  const short = DAY_NAMES.indexOf(name as (typeof DAY_NAMES)[number]);
  if (short >= 0) return short + 1;
  const long = LONG_DAY_NAMES.indexOf(name as (typeof LONG_DAY_NAMES)[number]);
  return long >= 0 ? long + 1 : null;
}

/** ISO weekdays of one item ('*', 'tue', 'mon-fri', 'fri-mon' wrapping over the weekend), or an error message. */
function parseDayItem(item: string): number[] | string {
  if (item === '*') return [1, 2, 3, 4, 5, 6, 7];
  if (item === '') return 'empty day in the list';
  const parts = item.split('-').map((part) => part.trim());
  if (parts.length > 2) return `'${item}' is not a day or a range of days`;
  const numbers: number[] = [];
  for (const part of parts) {
    const day = dayNumber(part);
    if (day === null) {
      const suggestion = closest(part, [...DAY_NAMES, ...LONG_DAY_NAMES]);
      return `unknown day '${part}'${suggestion ? ` (did you mean '${suggestion}'?)` : ''}`;
    }
    numbers.push(day);
  }
  const first = numbers[0]!;
  const last = numbers[numbers.length - 1]!;
  const days: number[] = [];
  for (let day = first; ; day = day === 7 ? 1 : day + 1) {
    days.push(day);
    if (day === last) break;
  }
  return days;
}

const CLOCK = /^(\d{1,2}):(\d{2})$/;

/** Minute of day of 'HH:MM'; 24:00 only as an end. */
function parseClock(text: string, isEnd: boolean): number | null {
  const match = CLOCK.exec(text.trim());
  if (!match) return null;
  const hours = Number(match[1]);
  const minutes = Number(match[2]);
  if (hours === 24 && minutes === 0 && isEnd) return MINUTES_PER_DAY;
  if (hours > 23 || minutes > 59) return null;
  return hours * 60 + minutes;
}

function parseHoursItem(item: string): [number, number] | string {
  if (item === '*') return [0, MINUTES_PER_DAY];
  const parts = item.split('-');
  if (parts.length !== 2) return `'${item}' is not a time range`;
  const start = parseClock(parts[0]!, false);
  if (start === null) return `'${parts[0]!.trim()}' is not a time of day (HH:MM, 00:00 to 23:59)`;
  let end = parseClock(parts[1]!, true);
  if (end === null) return `'${parts[1]!.trim()}' is not a time of day (HH:MM, 00:00 to 24:00)`;
  if (start === end) return `'${item}' is an empty range (start equals end)`;
  // '22:00-00:00' means until midnight: the same as '22:00-24:00', not an overnight range.
  if (end === 0) end = MINUTES_PER_DAY;
  return [start, end];
}

function clock(minuteOfDay: number): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(Math.floor(minuteOfDay / 60))}:${pad(minuteOfDay % 60)}`;
}
