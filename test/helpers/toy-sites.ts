// Test helper: small synthetic SiteSeries with known drivers and targets.
import { dateFeatureColumns } from "../../core/date-features.ts";
import { dayNumber } from "../../core/dates.ts";
import type { SiteInfo, SiteSeries } from "../../training/dataset.ts";

/** A site of `length` days from 2020-01-01 whose target is `flux(t, tsoil, swc)` (NaN where `observed(t)` is false). */
export function toySite(opts: {
  site?: string;
  length: number;
  tsoil?: (t: number) => number;
  swc?: (t: number) => number;
  flux: (t: number, tsoil: number, swc: number) => number;
  observed?: (t: number) => boolean;
  info?: Partial<SiteInfo>;
}): SiteSeries {
  const firstDay = dayNumber("2020-01-01")!;
  const ts = Float32Array.from({ length: opts.length }, (_, t) => opts.tsoil?.(t) ?? Number.NaN);
  const sw = Float32Array.from({ length: opts.length }, (_, t) => opts.swc?.(t) ?? Number.NaN);
  const target = Float32Array.from({ length: opts.length }, (_, t) =>
    (opts.observed?.(t) ?? true) ? opts.flux(t, ts[t]!, sw[t]!) : Number.NaN,
  );
  const nan = () => new Float32Array(opts.length).fill(Number.NaN);
  return {
    info: {
      site: opts.site ?? "toy",
      siteName: opts.site ?? "toy",
      latitude: 45,
      longitude: 10,
      elevation: 100,
      igbp: "DBF",
      mat: 10,
      map: 800,
      primaryPub: null,
      ...opts.info,
    },
    firstDay,
    length: opts.length,
    drivers: {
      tsoil_mean: ts,
      tsoil_min: nan(),
      tsoil_max: nan(),
      swc_mean: sw,
      tair_mean: nan(),
      precip_sum: nan(),
      ...dateFeatureColumns(firstDay, opts.length),
    },
    target,
    fluxDays: target.reduce((n, v) => n + (Number.isNaN(v) ? 0 : 1), 0),
  };
}

/** Seasonal soil temperature, °C: 10 ± 8. */
export const seasonalT = (t: number) => 10 + 8 * Math.sin((2 * Math.PI * t) / 365);
