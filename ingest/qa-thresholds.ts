/** The numeric thresholds of the ingest's QA rules (ingest/qa-rules.ts), and the driver columns an external-driver table may carry. */
import { FLUX_RANGE, findFeature } from "../core/features.ts";

function featureRange(name: string): { min: number; max: number } {
  const f = findFeature(name);
  if (!f) throw new Error(`feature ${name} missing from core/features.ts`);
  return { min: f.min, max: f.max };
}

/** Numeric thresholds of the QA rules (units in the comments). */
export const QA = {
  /** Valid CSR_FLUX_CO2 per record, umol CO2 m-2 s-1 (inclusive; core/features.ts FLUX_RANGE). */
  flux: { ...FLUX_RANGE },
  /** Valid soil temperature per record, degC (core/features.ts tsoil_mean). */
  tsoil: featureRange("tsoil_mean"),
  /** Valid volumetric soil moisture per record after the unit fix, m3 m-3 (core/features.ts swc_mean). */
  swc: featureRange("swc_mean"),
  /** Valid air temperature per record, degC (core/features.ts tair_mean). */
  tair: featureRange("tair_mean"),
  /** Valid precipitation per record, mm (bounded by the daily range of core/features.ts precip_sum). */
  precip: featureRange("precip_sum"),
  /**
   * A soil-moisture column whose median numeric value exceeds this is in % and is divided by 100. The median,
   * not a high percentile, so that a few absurd values (1e10) do not turn a m3 m-3 column into "%".
   */
  swcPercentMedian: 1.5,
  /** A driver column with more than this fraction of its numeric values out of range (after the unit fix) is not used. */
  columnMaxOutOfRange: 0.1,
  /** Robust outlier test on control flux, per dataset, port and ISO week (Monday-Sunday, local standard time). */
  outlier: {
    /** Flag |flux - median| > k * scale. */
    k: 5,
    /** scale = max(1.4826 * MAD, scaleFloor), umol m-2 s-1: a floor so that quantised, nearly constant weeks are not over-flagged. */
    scaleFloor: 0.05,
    /** Windows with fewer valid records are not tested. */
    minRecords: 20,
  },
  /** A day's flux_mean is kept only with at least this many valid records spread over this many distinct clock hours. */
  coverage: { minRecords: 4, minHours: 4 },
} as const;

/** Driver columns an external-driver table may carry, each with the range and unit of core/features.ts. */
export const EXTERNAL_DRIVER_COLUMNS = [
  "tsoil_mean",
  "tsoil_min",
  "tsoil_max",
  "swc_mean",
  "tair_mean",
  "precip_sum",
] as const;
export type ExternalDriverColumn = (typeof EXTERNAL_DRIVER_COLUMNS)[number];
