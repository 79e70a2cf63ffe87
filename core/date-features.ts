/** The date-derived inputs (catalog features with source "date"), computed in one place for training and runtimes. */
import { dayOfYear, phaseOfYear, yearLength } from "./dates.ts";

/** sin and cos of the seasonal phase per day of year, for years of 365 and 366 days (one table each, built once). */
const PHASE_TABLES = new Map<number, { sin: Float64Array; cos: Float64Array }>();

function phaseTable(len: number): { sin: Float64Array; cos: Float64Array } {
  let t = PHASE_TABLES.get(len);
  if (!t) {
    t = { sin: new Float64Array(len), cos: new Float64Array(len) };
    for (let doy = 1; doy <= len; doy++) [t.sin[doy - 1], t.cos[doy - 1]] = phaseOfYear(doy, len);
    PHASE_TABLES.set(len, t);
  }
  return t;
}

/**
 * Columns of every date-derived feature for `length` consecutive days from `firstDay` (days since 1970-01-01):
 * `doy_sin`, `doy_cos` = sin, cos of the seasonal phase (core/dates.ts `seasonalPhase`), read from a table per
 * year length while stepping through the calendar.
 * @returns feature name → [length]
 */
export function dateFeatureColumns(firstDay: number, length: number): Record<string, Float32Array> {
  const sin = new Float32Array(length);
  const cos = new Float32Array(length);
  let doy = dayOfYear(firstDay);
  let len = yearLength(firstDay);
  let table = phaseTable(len);
  for (let t = 0; t < length; t++) {
    if (doy > len) {
      doy = 1;
      len = yearLength(firstDay + t);
      table = phaseTable(len);
    }
    sin[t] = table.sin[doy - 1]!;
    cos[t] = table.cos[doy - 1]!;
    doy++;
  }
  return { doy_sin: sin, doy_cos: cos };
}
