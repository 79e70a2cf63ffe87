/** A reference-statistics request: a site's own daily measurements in, its reference statistics out (HTTP and CLI). */
import { z } from "zod";
import { InputError } from "./errors.ts";
import { FLUX_RANGE, findFeature, TARGET } from "./features.ts";
import type { RequestLimits } from "./limits.ts";
import { REFERENCE_STAT_NAMES, type ReferenceStats, referenceStats } from "./reference-stats.ts";
import { checkRange } from "./value-checks.ts";

interface Series {
  name: "flux_mean" | "tsoil_mean" | "swc_mean";
  unit: string;
  min: number;
  max: number;
  what: string;
}

function driver(name: "tsoil_mean" | "swc_mean"): Series {
  const f = findFeature(name)!;
  return { name, unit: f.unit, min: f.min, max: f.max, what: f.description };
}

/** The measured series a reference request carries: the target, then the drivers the statistics use. */
const FLUX: Series = {
  name: TARGET.name,
  unit: TARGET.unit,
  ...FLUX_RANGE,
  what: TARGET.description,
};
const TSOIL = driver("tsoil_mean");
const SWC = driver("swc_mean");
const SERIES = [FLUX, TSOIL, SWC];

/** A validated request: one value or null per day, all series the same length, days in date order. */
export interface ReferenceRequest {
  flux_mean: (number | null)[];
  tsoil_mean?: (number | null)[] | undefined;
  swc_mean?: (number | null)[] | undefined;
}

/** The answer: the statistics (null where they cannot be computed) and how many days fed them. */
export interface ReferenceAnswer {
  /** Ready to paste into a prediction request's `static` (nulls may be left out). */
  reference: Record<keyof ReferenceStats, number | null>;
  days: { flux: number; flux_and_tsoil: number; flux_tsoil_and_swc: number };
}

/**
 * zod schema of a reference request: structure only; {@link answerReferenceRequest} checks values and lengths with
 * exact paths.
 */
export function buildReferenceRequestSchema(limits: Pick<RequestLimits, "maxDays">) {
  const series = (s: Series) =>
    z
      .array(z.number().nullable())
      .max(limits.maxDays)
      .describe(
        `${s.what} [${s.unit}], valid ${s.min}..${s.max}, one per day in date order; null = not measured`,
      );
  return z.strictObject({
    flux_mean: series(FLUX).min(1),
    tsoil_mean: series(TSOIL).optional(),
    swc_mean: series(SWC).optional(),
  });
}

/**
 * Check every value against its range and the series lengths, then compute the statistics
 * (core/reference-stats.ts `referenceStats`, exactly as training does on the training period).
 * @throws {InputError} naming the field, e.g. `tsoil_mean[14]: 75 is above the valid maximum 60 degC`
 */
export function answerReferenceRequest(req: ReferenceRequest): ReferenceAnswer {
  const n = req.flux_mean.length;
  const arrays = SERIES.map((s) => {
    const values = req[s.name];
    const out = new Float64Array(n).fill(Number.NaN);
    if (values === undefined) return out;
    if (values.length !== n)
      throw new InputError(
        s.name,
        `has ${values.length} values but flux_mean has ${n}`,
        "send one value (or null) per day for every series",
      );
    values.forEach((v, i) => {
      if (v === null) return;
      checkRange(v, s, `${s.name}[${i}]`, "check the unit, or send null for a bad day");
      out[i] = v;
    });
    return out;
  });
  const [flux, tsoil, swc] = arrays as [Float64Array, Float64Array, Float64Array];
  const stats = referenceStats(flux, tsoil, swc);
  let f = 0;
  let ft = 0;
  let fts = 0;
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(flux[i]!)) continue;
    f++;
    if (Number.isNaN(tsoil[i]!)) continue;
    ft++;
    if (!Number.isNaN(swc[i]!)) fts++;
  }
  const reference = Object.fromEntries(
    REFERENCE_STAT_NAMES.map((k) => [k, Number.isFinite(stats[k]) ? stats[k] : null]),
  ) as ReferenceAnswer["reference"];
  return { reference, days: { flux: f, flux_and_tsoil: ft, flux_tsoil_and_swc: fts } };
}
