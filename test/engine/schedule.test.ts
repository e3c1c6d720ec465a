import { describe, expect, it } from 'vitest';
import type { ScheduleSpec } from '../../src/engine/rule.js';
import { formatSchedule, isWithinSchedule, parseSchedule, type ScheduleInput } from '../../src/engine/schedule.js';

function schedule(input: ScheduleInput): ScheduleSpec {
  const result = parseSchedule(input);
  if (!result.ok) throw new Error(`bad schedule in test: ${result.error.message}`);
  return result.schedule;
}

const at = (iso: string) => Date.parse(iso);

describe('parseSchedule: days, hours and time zone', () => {
  it.each<{ input: ScheduleInput; days: number[]; hours: Array<[number, number]>; timezone: string }>([
    { input: { days: 'mon-fri', hours: '08:00-18:00', timezone: 'Europe/Berlin' }, days: [1, 2, 3, 4, 5], hours: [[480, 1080]], timezone: 'Europe/Berlin' },
    { input: { days: ['mon', 'wed'] }, days: [1, 3], hours: [[0, 1440]], timezone: 'UTC' },
    { input: { days: 'mon,wed,fri' }, days: [1, 3, 5], hours: [[0, 1440]], timezone: 'UTC' },
    { input: { days: '*' }, days: [1, 2, 3, 4, 5, 6, 7], hours: [[0, 1440]], timezone: 'UTC' },
    { input: { days: 'fri-mon' }, days: [1, 5, 6, 7], hours: [[0, 1440]], timezone: 'UTC' },
    { input: { days: 'Monday-Tuesday, SUN' }, days: [1, 2, 7], hours: [[0, 1440]], timezone: 'UTC' },
    { input: { days: ['mon', 'mon-tue'] }, days: [1, 2], hours: [[0, 1440]], timezone: 'UTC' },
    { input: { hours: ['08:00-12:00', '13:00-18:00'] }, days: [1, 2, 3, 4, 5, 6, 7], hours: [[480, 720], [780, 1080]], timezone: 'UTC' },
    { input: { hours: '22:00-06:00' }, days: [1, 2, 3, 4, 5, 6, 7], hours: [[1320, 360]], timezone: 'UTC' },
    { input: { hours: '22:00-00:00' }, days: [1, 2, 3, 4, 5, 6, 7], hours: [[1320, 1440]], timezone: 'UTC' },
    { input: { hours: '00:00-24:00' }, days: [1, 2, 3, 4, 5, 6, 7], hours: [[0, 1440]], timezone: 'UTC' },
    { input: { hours: '8:00-9:30' }, days: [1, 2, 3, 4, 5, 6, 7], hours: [[480, 570]], timezone: 'UTC' },
    { input: {}, days: [1, 2, 3, 4, 5, 6, 7], hours: [[0, 1440]], timezone: 'UTC' },
  ])('$input', ({ input, days, hours, timezone }) => {
    expect(parseSchedule(input)).toEqual({ ok: true, schedule: { days, hours, timezone } });
  });

  it("takes the rule's time zone when the schedule names none", () => {
    expect(parseSchedule({ days: 'mon' }, 'America/New_York')).toMatchObject({ ok: true, schedule: { timezone: 'America/New_York' } });
  });
});

describe('parseSchedule: mistakes say what and where', () => {
  it.each<{ input: ScheduleInput; field: string; index?: number; message: RegExp; hint?: RegExp }>([
    { input: { days: 'mon-fry' }, field: 'days', message: /unknown day 'fry' \(did you mean 'fri'\?\)/ },
    { input: { days: ['mon', 'funday'] }, field: 'days', index: 1, message: /unknown day 'funday'/ },
    { input: { days: 'mon-tue-wed' }, field: 'days', message: /not a day or a range of days/ },
    { input: { days: 'mon,,tue' }, field: 'days', message: /empty day/ },
    { input: { days: [] }, field: 'days', message: /no days/ },
    { input: { hours: '25:00-26:00' }, field: 'hours', message: /'25:00' is not a time of day/ },
    { input: { hours: '08:00' }, field: 'hours', message: /not a time range/, hint: /HH:MM-HH:MM/ },
    { input: { hours: '08:00-08:00' }, field: 'hours', message: /empty range/ },
    { input: { hours: '24:00-06:00' }, field: 'hours', message: /'24:00' is not a time of day/ },
    { input: { hours: '08:60-09:00' }, field: 'hours', message: /'08:60' is not a time of day/ },
    { input: { hours: ['08:00-12:00', '13:00-1800'] }, field: 'hours', index: 1, message: /'1800' is not a time of day/ },
    { input: { hours: [] }, field: 'hours', message: /no hours/ },
    { input: { timezone: 'Europe/Berln' }, field: 'timezone', message: /unknown time zone 'Europe\/Berln'/, hint: /did you mean 'Europe\/Berlin'/ },
    { input: { timezone: 'Mars/Olympus_Mons' }, field: 'timezone', message: /unknown time zone/, hint: /IANA/ },
  ])('$input → $field', ({ input, field, index, message, hint }) => {
    const result = parseSchedule(input);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.field).toBe(field);
    expect(result.error.index).toBe(index);
    expect(result.error.message).toMatch(message);
    expect(result.error.hint).toBeDefined();
    if (hint) expect(result.error.hint).toMatch(hint);
  });
});

describe('isWithinSchedule', () => {
  const officeBerlin = schedule({ days: 'mon-fri', hours: '08:00-18:00', timezone: 'Europe/Berlin' });
  const officeUtc = schedule({ days: 'mon-fri', hours: '08:00-18:00', timezone: 'UTC' });
  const fridayNight = schedule({ days: 'fri', hours: '22:00-06:00', timezone: 'Europe/Berlin' });
  const lateEvening = schedule({ hours: '22:00-00:00', timezone: 'Europe/Berlin' });
  const sundays = schedule({ days: 'sun', timezone: 'Europe/Berlin' });
  const skippedHour = schedule({ hours: '02:30-03:30', timezone: 'Europe/Berlin' });
  const repeatedHour = schedule({ hours: '02:00-03:00', timezone: 'Europe/Berlin' });
  const saturdayNight = schedule({ days: 'sat', hours: '22:00-06:00', timezone: 'Europe/Berlin' });

  // 2024-01-01 is a Monday; 2024-01-05 a Friday. Berlin switches to CEST on 2024-03-31 at
  // 01:00 UTC (02:00 → 03:00) and back to CET on 2024-10-27 at 01:00 UTC (03:00 → 02:00).
  it.each<{ name: string; spec: ScheduleSpec; time: string; within: boolean }>([
    { name: 'office: Monday 08:00 opens', spec: officeBerlin, time: '2024-01-01T08:00:00+01:00', within: true },
    { name: 'office: Monday 07:59:59 is before', spec: officeBerlin, time: '2024-01-01T07:59:59+01:00', within: false },
    { name: 'office: Monday 17:59 is inside', spec: officeBerlin, time: '2024-01-01T17:59:00+01:00', within: true },
    { name: 'office: Monday 18:00 is closed (half-open range)', spec: officeBerlin, time: '2024-01-01T18:00:00+01:00', within: false },
    { name: 'office: Saturday is not a working day', spec: officeBerlin, time: '2024-01-06T10:00:00+01:00', within: false },
    { name: 'office: 07:30 UTC is 08:30 in Berlin', spec: officeBerlin, time: '2024-01-01T07:30:00Z', within: true },
    { name: 'office: 07:30 UTC is before opening in UTC', spec: officeUtc, time: '2024-01-01T07:30:00Z', within: false },
    { name: 'the zone decides the day: Sunday 23:30 UTC is Monday in Berlin', spec: schedule({ days: 'mon', timezone: 'Europe/Berlin' }), time: '2024-01-07T23:30:00Z', within: true },
    { name: 'the zone decides the day: Sunday 23:30 UTC is Sunday in UTC', spec: schedule({ days: 'mon', timezone: 'UTC' }), time: '2024-01-07T23:30:00Z', within: false },
    { name: 'office: Monday 07:30 UTC in summer is 09:30 CEST', spec: officeBerlin, time: '2024-07-01T07:30:00Z', within: true },
    { name: 'office: 06:30 UTC in summer is 08:30 CEST', spec: officeBerlin, time: '2024-07-01T06:30:00Z', within: true },
    { name: 'office: 05:59 UTC in summer is 07:59 CEST', spec: officeBerlin, time: '2024-07-01T05:59:00Z', within: false },

    { name: 'overnight: Friday 22:00 starts the shift', spec: fridayNight, time: '2024-01-05T22:00:00+01:00', within: true },
    { name: 'overnight: Friday 21:59 is before', spec: fridayNight, time: '2024-01-05T21:59:00+01:00', within: false },
    { name: 'overnight: Saturday 00:00 is inside (across midnight)', spec: fridayNight, time: '2024-01-06T00:00:00+01:00', within: true },
    { name: 'overnight: Saturday 05:59 is inside', spec: fridayNight, time: '2024-01-06T05:59:00+01:00', within: true },
    { name: 'overnight: Saturday 06:00 ends the shift', spec: fridayNight, time: '2024-01-06T06:00:00+01:00', within: false },
    { name: "overnight: Friday 03:00 belongs to Thursday's night", spec: fridayNight, time: '2024-01-05T03:00:00+01:00', within: false },
    { name: 'overnight: Saturday 23:00 starts no shift', spec: fridayNight, time: '2024-01-06T23:00:00+01:00', within: false },

    { name: 'until midnight: 23:59:59 is inside', spec: lateEvening, time: '2024-01-06T23:59:59+01:00', within: true },
    { name: 'until midnight: 00:00 is outside', spec: lateEvening, time: '2024-01-07T00:00:00+01:00', within: false },
    { name: 'whole day: Sunday 23:59:59 is inside', spec: sundays, time: '2024-01-07T23:59:59+01:00', within: true },
    { name: 'whole day: Monday 00:00 is outside', spec: sundays, time: '2024-01-08T00:00:00+01:00', within: false },

    { name: 'spring forward: 01:59:59 CET is before 02:30', spec: skippedHour, time: '2024-03-31T00:59:59Z', within: false },
    { name: 'spring forward: the range starts at 03:00 CEST, first time shown inside it', spec: skippedHour, time: '2024-03-31T01:00:00Z', within: true },
    { name: 'spring forward: 03:29 CEST is inside', spec: skippedHour, time: '2024-03-31T01:29:00Z', within: true },
    { name: 'spring forward: 03:30 CEST is the end', spec: skippedHour, time: '2024-03-31T01:30:00Z', within: false },
    { name: 'spring forward: office opens at 08:00 CEST = 06:00 UTC', spec: schedule({ hours: '08:00-18:00', timezone: 'Europe/Berlin' }), time: '2024-03-31T06:00:00Z', within: true },
    { name: 'spring forward: 05:59 UTC is 07:59 CEST', spec: schedule({ hours: '08:00-18:00', timezone: 'Europe/Berlin' }), time: '2024-03-31T05:59:00Z', within: false },
    { name: 'spring forward: the day before, 06:59 UTC is 07:59 CET', spec: schedule({ hours: '08:00-18:00', timezone: 'Europe/Berlin' }), time: '2024-03-30T06:59:00Z', within: false },
    { name: 'spring forward: the day before, 07:00 UTC is 08:00 CET', spec: schedule({ hours: '08:00-18:00', timezone: 'Europe/Berlin' }), time: '2024-03-30T07:00:00Z', within: true },
    { name: 'spring forward: overnight shift ends at 06:00 CEST', spec: saturdayNight, time: '2024-03-31T03:59:00Z', within: true },
    { name: 'spring forward: 04:00 UTC is 06:00 CEST', spec: saturdayNight, time: '2024-03-31T04:00:00Z', within: false },

    { name: 'fall back: 01:59 CEST is before', spec: repeatedHour, time: '2024-10-26T23:59:00Z', within: false },
    { name: 'fall back: first 02:00 (CEST)', spec: repeatedHour, time: '2024-10-27T00:00:00Z', within: true },
    { name: 'fall back: first 02:59 (CEST)', spec: repeatedHour, time: '2024-10-27T00:59:00Z', within: true },
    { name: 'fall back: second 02:00 (CET) counts again', spec: repeatedHour, time: '2024-10-27T01:00:00Z', within: true },
    { name: 'fall back: second 02:59 (CET)', spec: repeatedHour, time: '2024-10-27T01:59:00Z', within: true },
    { name: 'fall back: 03:00 CET is the end', spec: repeatedHour, time: '2024-10-27T02:00:00Z', within: false },
  ])('$name', ({ spec, time, within }) => {
    expect(isWithinSchedule(spec, at(time))).toBe(within);
  });
});

describe('formatSchedule', () => {
  it.each<{ input: ScheduleInput; text: string }>([
    { input: { days: 'mon-fri', hours: '08:00-18:00', timezone: 'Europe/Berlin' }, text: 'mon,tue,wed,thu,fri 08:00-18:00 Europe/Berlin' },
    { input: { hours: ['22:00-06:00', '12:00-13:00'] }, text: '* 22:00-06:00,12:00-13:00 UTC' },
    { input: {}, text: '* * UTC' },
  ])('$text', ({ input, text }) => {
    const spec = schedule(input);
    expect(formatSchedule(spec)).toBe(text);
    const [days, hours, timezone] = text.split(' ') as [string, string, string];
    expect(schedule({ days, hours, timezone })).toEqual(spec);
  });
});
