/** A calibration request: a site's drivers, attributes and measured efflux in, its versioned calibration JSON out (one path for the CLI and HTTP). */
import { z } from "zod";
import { CALIBRATION_FORMAT, CALIBRATION_FORMAT_VERSION, type SiteCalibration } from "./calibration-file.ts";
import { isoDate } from "./dates.ts";
import { InputError } from "./errors.ts";
import { FLUX_RANGE, TARGET } from "./features.ts";
import type { RequestLimits } from "./limits.ts";
import type { ModelSchema } from "./model-schema.ts";
import { REFERENCE_STAT_NAMES, referenceStats } from "./reference-stats.ts";
import { buildRequestSchema, type EncodedSite, encodeSite, type SiteRequest } from "./request.ts";
import { applyBlends, calibrateBlends, selectionDays, selectionInterval } from "./site-calibration.ts";
import { checkRange } from "./value-checks.ts";

export { type SiteCalibration, siteCalibrationSchema } from "./calibration-file.ts";

/** A calibration request: one site as in a prediction request, and its measured efflux on the same dates. */
export interface CalibrateRequest {
  site: SiteRequest;
  /** Daily mean efflux, µmol m-2 s-1, one value or null per date of `site`. */
  flux_mean: (number | null)[];
}

/** zod schema of a calibration request, built from the model schema like the prediction request. */
export function buildCalibrateRequestSchema(schema: ModelSchema, limits?: RequestLimits) {
  const site = buildRequestSchema(schema, limits).shape.sites.element;
  return z.strictObject({
    site,
    flux_mean: z
      .array(z.number().nullable())
      .min(1)
      .describe(`${TARGET.description} [${TARGET.unit}], one per date of the site; null = not measured`),
  });
}

/** Runs the model on one encoded site: [time] efflux over the site's contiguous tensor. */
export type SitePredictor = (site: EncodedSite) => Promise<Float32Array>;

/**
 * Calibrate one site: the last 1/7 of its measured days are selection days (core/site-calibration.ts); the
 * reference statistics come from the other (fit) days, the network runs with them, and the process models and
 * blend weights are fitted as in training's evaluation.
 * @throws {InputError} for a bad value (exact path), a flux series of the wrong length, or too few measured days
 */
export async function calibrateSite(
  req: CalibrateRequest,
  schema: ModelSchema,
  model: SiteCalibration["model"],
  predict: SitePredictor,
  limits?: RequestLimits,
): Promise<SiteCalibration> {
  const probe = encodeSite(
    { ...req.site, static: withoutReference(req.site.static) },
    schema,
    "site",
    limits,
  );
  const n = probe.days.length;
  if (req.flux_mean.length !== n)
    throw new InputError(
      "flux_mean",
      `has ${req.flux_mean.length} values for ${n} dates`,
      "send one value (or null) per date",
    );
  const flux = req.flux_mean.map((v, i) => {
    if (v === null) return Number.NaN;
    checkRange(v, { ...FLUX_RANGE, unit: TARGET.unit }, `flux_mean[${i}]`);
    return v;
  });
  const measured = flux.filter((v) => !Number.isNaN(v)).length;
  if (measured < 14)
    throw new InputError(
      "flux_mean",
      `${measured} measured days`,
      "calibration needs at least 14 days with efflux",
    );
  const driver = (name: string) => driverAtDates(probe, schema, name);
  const tsoil = driver("tsoil_mean");
  const swc = driver("swc_mean");
  const selection = selectionDays(flux);
  const stats = referenceStats(
    flux.map((v, i) => (selection[i] ? Number.NaN : v)),
    tsoil,
    swc,
  );
  const taken = new Set(schema.static.map((f) => f.name));
  const reference = Object.fromEntries(
    REFERENCE_STAT_NAMES.filter((k) => taken.has(k)).map((k) => [
      k,
      Number.isFinite(stats[k]) ? stats[k] : null,
    ]),
  );
  const encoded = encodeSite(
    { ...req.site, static: { ...withoutReference(req.site.static), ...reference } },
    schema,
    "site",
    limits,
  );
  const out = await predict(encoded);
  const network = Array.from(encoded.rows, (r) => out[r]!);
  const blends = calibrateBlends({ flux, tsoil, swc }, network, selection);
  const interval = selectionInterval({ flux, tsoil, swc }, network, blends, selection);
  const measuredDays = probe.days.filter((_, i) => !Number.isNaN(flux[i]!));
  const firstSelection = probe.days.find((_, i) => selection[i]);
  return {
    format: CALIBRATION_FORMAT,
    formatVersion: CALIBRATION_FORMAT_VERSION,
    site: req.site.id ?? null,
    period: {
      from: isoDate(measuredDays[0]!),
      to: isoDate(measuredDays[measuredDays.length - 1]!),
      days: measured,
      selectionFrom: firstSelection === undefined ? null : isoDate(firstSelection),
    },
    model,
    reference,
    blends,
    interval,
  };
}

/** The site's attributes without any reference statistic (the calibration computes them from the measured days). */
function withoutReference(s: SiteRequest["static"]): SiteRequest["static"] {
  const names = new Set<string>(REFERENCE_STAT_NAMES);
  return Object.fromEntries(Object.entries(s).filter(([k]) => !names.has(k)));
}

/**
 * One raw driver of an encoded site at its requested dates, in date order (NaN where the schema has no such
 * driver or the day is a gap).
 */
export function driverAtDates(site: EncodedSite, schema: ModelSchema, name: string): number[] {
  const cols = schema.dynamic.length;
  const c = schema.dynamic.findIndex((f) => f.name === name);
  return Array.from(site.rows, (r) => (c < 0 ? Number.NaN : site.dynamic[r * cols + c]!));
}

/**
 * Apply a site's calibration to the network's answer for a request: the blends of core/site-calibration.ts per date,
 * from the request's own soil temperature and moisture.
 * @param site the site as encoded from the request (before any spin-up)
 * @param values [dates] the network's efflux per requested date, µmol m-2 s-1
 * @throws {InputError} if the calibration was fitted for another model version (its weights were chosen with that
 *   model's predictions)
 */
export function applySiteCalibration(
  site: EncodedSite,
  values: readonly number[],
  schema: ModelSchema,
  calibration: Pick<SiteCalibration, "model" | "blends">,
  model: { name: string; version: string; sha256: string },
  path = "calibration",
): number[] {
  checkCalibrationModel(calibration, model, path);
  return Array.from(
    applyBlends(
      values,
      driverAtDates(site, schema, "tsoil_mean"),
      driverAtDates(site, schema, "swc_mean"),
      calibration.blends,
    ),
  );
}

/**
 * A calibration is valid only for the exact model it was fitted with (same model.onnx sha256).
 * @throws {InputError} naming both models and what to do
 */
export function checkCalibrationModel(
  calibration: Pick<SiteCalibration, "model">,
  model: { name: string; version: string; sha256: string },
  path = "calibration",
): void {
  if (calibration.model.sha256 !== model.sha256)
    throw new InputError(
      `${path}.model`,
      `fitted for ${calibration.model.name} ${calibration.model.version} (sha256 ${calibration.model.sha256.slice(0, 12)}…), not ${model.name} ${model.version} (${model.sha256.slice(0, 12)}…)`,
      "recalibrate the site for this model (soilco2 calibrate or POST /v1/calibrate)",
    );
}
