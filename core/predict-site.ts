/** One site of a prediction request from request to answer: its calibration's reference statistics, the spin-up before its first date, the calibrated efflux, its interval and warm-up flags (one path for every runtime). */
import { checkCalibrationModel, driverAtDates } from "./calibrate-request.ts";
import type { SiteCalibration } from "./calibration-file.ts";
import { isoDate } from "./dates.ts";
import type { RatioInterval } from "./interval.ts";
import type { RequestLimits } from "./limits.ts";
import type { ModelSchema } from "./model-schema.ts";
import { type NetworkIntervals, networkIntervalFor } from "./network-interval.ts";
import { type EncodedSite, encodeSite, type SiteRequest } from "./request.ts";
import { applyBlends } from "./site-calibration.ts";
import { spinUpSite, warmupFlags } from "./spin-up.ts";

/** The model a request runs on: its calibration must have been fitted with the same model.onnx. */
export interface ModelIdentity {
  name: string;
  version: string;
  sha256: string;
  /** The model directory's manifest, for the network's own interval (absent or without `intervals`: none). */
  manifest?: { intervals?: NetworkIntervals | undefined };
}

/** Where a site's interval comes from: its calibration, the network's own (manifest), or none. */
export type IntervalSource = "calibration" | "network" | null;

/** A site ready to run: `encoded` as requested, `run` with its spin-up days prepended (what goes to the model). */
export interface PlannedSite {
  encoded: EncodedSite;
  run: EncodedSite;
  spinUpDays: number;
  calibration: SiteCalibration | null;
  /** The network's interval for this request's static row (with or without reference statistics), or null. */
  networkInterval: RatioInterval | null;
}

/** One site of the answer. */
export interface SiteAnswer {
  dates: string[];
  /** Daily mean efflux per date, µmol CO2 m-2 s-1 (calibrated when the site carried a calibration). */
  efflux: number[];
  /** 10-90% interval per date: the calibration's where it has one, else the network's where the model has one; else null. */
  efflux_lower: number[] | null;
  efflux_upper: number[] | null;
  interval: IntervalSource;
  /** Per date: true while the model is still warming up (only with `spin_up: none`). */
  warmup: boolean[];
  /** Days prepended before the first date to warm the model up. */
  spin_up_days: number;
  calibrated: boolean;
}

/** Days the series of one site request will run over at most (its span plus the spin-up), for admission limits. */
export function spinUpDaysFor(site: Pick<SiteRequest, "spin_up">, schema: ModelSchema): number {
  return (site.spin_up ?? "mirror") === "none" ? 0 : schema.warmupDays;
}

/**
 * Encode a site request (its calibration's reference statistics fill the attributes the request leaves out) and
 * prepend its spin-up.
 * @throws {InputError} for a bad value, or a calibration fitted with another model
 */
export function planSite(
  req: SiteRequest,
  schema: ModelSchema,
  model: ModelIdentity,
  path: string,
  limits?: RequestLimits,
): PlannedSite {
  const cal = req.calibration ?? null;
  if (cal) checkCalibrationModel(cal, model, `${path}.calibration`);
  const given = Object.fromEntries(
    Object.entries(req.static).filter(([, v]) => v !== null && v !== undefined),
  );
  const fromCal = cal ? Object.fromEntries(Object.entries(cal.reference).filter(([, v]) => v !== null)) : {};
  const encoded = encodeSite({ ...req, static: { ...fromCal, ...given } }, schema, path, limits);
  const days = spinUpDaysFor(req, schema);
  return {
    encoded,
    run: spinUpSite(encoded, schema, days, req.spin_up ?? "mirror"),
    spinUpDays: days,
    calibration: cal,
    networkInterval: networkIntervalFor(model.manifest?.intervals, schema, encoded.static),
  };
}

/** One site's answer as typed columns, one value per requested date (what {@link SiteAnswer} carries as JSON). */
export interface SiteColumns {
  /** Efflux, µmol CO2 m-2 s-1 (calibrated when the site carried a calibration). */
  efflux: Float64Array;
  /** 10-90% interval bounds, µmol CO2 m-2 s-1, or null without an interval. */
  lower: Float64Array | null;
  upper: Float64Array | null;
  interval: IntervalSource;
  warmup: boolean[];
}

/**
 * The answer of one planned site from the model's output over its `run` tensor, as typed columns (batch
 * prediction writes these straight into its Parquet columns; {@link answerSite} is the same as JSON).
 * @param output [time] efflux over `plan.run`, µmol CO2 m-2 s-1
 */
export function answerColumns(
  plan: PlannedSite,
  output: ArrayLike<number>,
  schema: ModelSchema,
): SiteColumns {
  const { encoded, run, calibration } = plan;
  const n = run.rows.length;
  const network = new Float64Array(n);
  for (let i = 0; i < n; i++) network[i] = output[run.rows[i]!]!;
  const efflux = calibration
    ? Float64Array.from(
        applyBlends(
          network,
          driverAtDates(encoded, schema, "tsoil_mean"),
          driverAtDates(encoded, schema, "swc_mean"),
          calibration.blends,
        ),
      )
    : network;
  const iv = calibration?.interval ?? plan.networkInterval;
  const scaled = (k: number) => {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = efflux[i]! * k;
    return out;
  };
  return {
    efflux,
    lower: iv ? scaled(iv.lower) : null,
    upper: iv ? scaled(iv.upper) : null,
    interval: calibration?.interval ? "calibration" : plan.networkInterval ? "network" : null,
    warmup: warmupFlags(encoded, schema.warmupDays, plan.spinUpDays),
  };
}

/**
 * The answer of one planned site from the model's output over its `run` tensor.
 * @param output [time] efflux over `plan.run`, µmol CO2 m-2 s-1
 * @param formatDate day number → `YYYY-MM-DD` (a server may pass a memoised one)
 */
export function answerSite(
  plan: PlannedSite,
  output: ArrayLike<number>,
  schema: ModelSchema,
  formatDate: (day: number) => string = isoDate,
): SiteAnswer {
  const c = answerColumns(plan, output, schema);
  return {
    dates: plan.encoded.days.map(formatDate),
    efflux: Array.from(c.efflux),
    efflux_lower: c.lower && Array.from(c.lower),
    efflux_upper: c.upper && Array.from(c.upper),
    interval: c.interval,
    warmup: c.warmup,
    spin_up_days: plan.spinUpDays,
    calibrated: plan.calibration !== null,
  };
}
