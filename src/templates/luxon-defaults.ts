/**
 * Guards for the hand-written formatting that stands in for luxon on hot paths (clock-duration.ts,
 * utc-date.ts). Their output equals luxon's while luxon writes ASCII digits, English names and the
 * Gregorian calendar, which depends on luxon's global defaults. tocsin never changes those, but
 * an embedding application could; so the guard asks luxon itself (a probe comparing its output
 * with the hand-written one) and asks again whenever the defaults change.
 */
import { Settings } from 'luxon';

/** A check that is `probe()` for the luxon defaults in force, computed once per change of them. */
export function whileLuxonDefaultsAllow(probe: () => boolean): () => boolean {
  let locale: unknown = Symbol('unprobed');
  let numbering: unknown;
  let calendar: unknown;
  let allowed = false;
  return () => {
    if (Settings.defaultLocale !== locale || Settings.defaultNumberingSystem !== numbering || Settings.defaultOutputCalendar !== calendar) {
      locale = Settings.defaultLocale;
      numbering = Settings.defaultNumberingSystem;
      calendar = Settings.defaultOutputCalendar;
      allowed = probe();
    }
    return allowed;
  };
}
