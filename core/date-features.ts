/** The date-derived inputs (catalog features with source "date"), computed in one place for training and runtimes. */
import { seasonalPhase } from "./dates.ts";

/**
 * Columns of every date-derived feature for `length` consecutive days from `firstDay` (days since 1970-01-01):
 * `doy_sin`, `doy_cos` = sin, cos of the seasonal phase (core/dates.ts `seasonalPhase`), computed once per day.
 * @returns feature name → [length]
 */
export function dateFeatureColumns(firstDay: number, length: number): Record<string, Float32Array> {
  const sin = new Float32Array(length);
  const cos = new Float32Array(length);
  for (let t = 0; t < length; t++) {
    const [s, c] = seasonalPhase(firstDay + t);
    sin[t] = s;
    cos[t] = c;
  }
  return { doy_sin: sin, doy_cos: cos };
}
