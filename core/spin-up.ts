/** Spin-up of a request's series: days prepended before its first date so the LSTM state is warm when the real days start, and the warm-up flags of the answer. */
import { dateFeatureColumns } from "./date-features.ts";
import type { ModelSchema } from "./model-schema.ts";
import type { EncodedSite } from "./request.ts";

/**
 * How the days before a series are filled: `none` (the model starts cold on the first date), `mirror` (the series'
 * own first days in reverse order, so the drivers are continuous where the real series starts; a series shorter
 * than the spin-up is reflected back and forth), or `repeat` (the first day's drivers, every day).
 */
export type SpinUpMode = "none" | "mirror" | "repeat";

/**
 * Row of the real series whose drivers fill spin-up day `k` (k = 0 is the day just before the first date).
 * Mirror reflects at both ends of the series: 0, 1, …, n − 1, n − 1, …, 0, 0, 1, …
 */
function sourceRow(mode: SpinUpMode, k: number, n: number): number {
  if (mode === "repeat" || n === 1) return 0;
  const p = k % (2 * n);
  return p < n ? p : 2 * n - 1 - p;
}

/**
 * The site with `days` spin-up days prepended: observed drivers filled by `mode`, date features computed for the
 * real calendar days before the first date, the static vector and the requested dates unchanged (their rows move by
 * `days`, so the same dates are read from the longer output).
 * @param site an encoded site (core/request.ts `encodeSite`)
 * @returns the same site for `none` or `days` ≤ 0
 */
export function spinUpSite(
  site: EncodedSite,
  schema: ModelSchema,
  days: number,
  mode: SpinUpMode,
): EncodedSite {
  if (mode === "none" || days <= 0) return site;
  const cols = schema.dynamic.length;
  const n = site.dynamic.length / cols;
  const firstDay = site.firstDay - days;
  const dynamic = new Float32Array((n + days) * cols);
  dynamic.set(site.dynamic, days * cols);
  const dated = dateFeatureColumns(firstDay, days);
  for (let k = 0; k < days; k++) {
    const row = days - 1 - k; // spin-up day k sits just before the series, going back in time
    const src = sourceRow(mode, k, n);
    schema.dynamic.forEach((f, c) => {
      dynamic[row * cols + c] =
        f.source === "date" ? (dated[f.name]?.[row] ?? Number.NaN) : site.dynamic[src * cols + c]!;
    });
  }
  return { ...site, firstDay, dynamic, rows: site.rows.map((r) => r + days) };
}

/**
 * Per requested date: true while the model is still warming up, i.e. within the first `warmupDays` of the real
 * series when it started cold; with a spin-up of at least `warmupDays` no value is in warm-up.
 * @param site the site as encoded from the request (before {@link spinUpSite})
 * @param spunUp days of spin-up that were prepended (0 for none)
 */
export function warmupFlags(site: EncodedSite, warmupDays: number, spunUp: number): boolean[] {
  const remaining = Math.max(0, warmupDays - spunUp);
  return site.days.map((d) => d - site.firstDay < remaining);
}
