/** Calendar-day arithmetic on ISO dates (`YYYY-MM-DD`), time-zone free: a day is a label, not an instant. */

const MS_PER_DAY = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Days since 1970-01-01 for an ISO date, or `undefined` if the string is not a real calendar date.
 * @example dayNumber("1970-01-02") // 1
 */
export function dayNumber(iso: string): number | undefined {
  const m = ISO_DATE.exec(iso);
  if (!m) return undefined;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d)
    return undefined;
  return ms / MS_PER_DAY;
}

/** ISO date (`YYYY-MM-DD`) for a day number (days since 1970-01-01). */
export function isoDate(day: number): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

/**
 * Day of year, 1-based (1 = 1 January, 366 = 31 December of a leap year).
 * @example dayOfYear(dayNumber("2020-12-31")!) // 366
 */
export function dayOfYear(day: number): number {
  const y = civilYear(day);
  return day - daysBeforeYear(y) + 1;
}

/** Length in days of the calendar year that `day` falls in (365 or 366). */
export function yearLength(day: number): number {
  const y = civilYear(day);
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 366 : 365;
}

/** Day number of 1 January of year `y` (proleptic Gregorian), without Date objects (hot path of request encoding). */
function daysBeforeYear(y: number): number {
  const p = y - 1;
  return 365 * (y - 1970) + (Math.floor(p / 4) - Math.floor(p / 100) + Math.floor(p / 400)) - 477;
}

/** Calendar year of a day number. */
function civilYear(day: number): number {
  let y = 1970 + Math.floor(day / 365.2425);
  while (daysBeforeYear(y) > day) y--;
  while (daysBeforeYear(y + 1) <= day) y++;
  return y;
}

/**
 * Seasonal phase of a day as (sin, cos) of 2π·(doy − 0.5)/yearLength: smooth across New Year.
 * Southern-hemisphere seasons are left to the model (latitude is a static input).
 */
export function seasonalPhase(day: number): [number, number] {
  return phaseOfYear(dayOfYear(day), yearLength(day));
}

/** (sin, cos) of 2π·(doy − 0.5)/len: the seasonal phase of day of year `doy` (1-based) in a year of `len` days. */
export function phaseOfYear(doy: number, len: number): [number, number] {
  const a = (2 * Math.PI * (doy - 0.5)) / len;
  return [Math.sin(a), Math.cos(a)];
}
