/** The prediction request: its zod schema (built from the model schema) and its encoding into raw tensors. */
import { z } from "zod";
import { type SiteCalibration, siteCalibrationSchema } from "./calibration-file.ts";
import { dateFeatureColumns } from "./date-features.ts";
import { dayNumber } from "./dates.ts";
import { InputError } from "./errors.ts";
import { DEFAULT_LIMITS, type RequestLimits } from "./limits.ts";
import type { ModelSchema } from "./model-schema.ts";
import { REFERENCE_STAT_NAMES } from "./reference-names.ts";
import type { SpinUpMode } from "./spin-up.ts";
import { encodeStatic } from "./static-vector.ts";
import { checkRange } from "./value-checks.ts";

/**
 * A daily driver series, one value per date in the physical units of the schema: `null` marks a gap in JSON, NaN in
 * a typed series (batch prediction builds those straight from DuckDB's columns).
 */
export type DriverSeries = readonly (number | null)[] | Float64Array;

/** One site in a prediction request. Drivers are in the physical units of the schema ({@link DriverSeries}). */
export interface SiteRequest {
  id?: string | undefined;
  /** Site attributes by name, plus the categorical one (e.g. `igbp: "DBF"`). */
  static: Record<string, number | string | null | undefined>;
  /** First day (`YYYY-MM-DD`) of consecutive daily series; give either `start` or `dates`. */
  start?: string | undefined;
  /** Strictly increasing days (`YYYY-MM-DD`); days left out are gaps the model steps through. */
  dates?: string[] | undefined;
  /** Daily drivers by name, each as long as the series. A driver left out is all gaps (if its gap policy allows). */
  drivers: Record<string, DriverSeries>;
  /** The site's calibration for this model (core/calibration-file.ts), from `soilco2 calibrate` or POST /v1/calibrate. */
  calibration?: SiteCalibration | undefined;
  /** How the series is spun up before its first date (core/spin-up.ts; default `mirror`). */
  spin_up?: SpinUpMode | undefined;
}

export interface PredictRequest {
  sites: SiteRequest[];
}

/** A site turned into raw tensors: physical units, NaN for gaps; `dynamic` spans every day from first to last. */
export interface EncodedSite {
  id: string | undefined;
  /** Day numbers (days since 1970-01-01) of the requested dates, in order. */
  days: number[];
  /** First day of the contiguous tensor. */
  firstDay: number;
  /** Row of each requested date in `dynamic`. */
  rows: Int32Array;
  /** Row-major [time, Dd] raw drivers. */
  dynamic: Float32Array;
  /** [Ds] raw static attributes, one-hot block included. */
  static: Float32Array;
}

/**
 * A daily driver series: an array of at most `max` numbers or nulls, checked in one loop. zod's own
 * `z.array(z.number().nullable()).max(max)` parses element by element, which a CPU profile of the server under `npm run bench:serve` showed among the main
 * thread's largest costs; this check gives the same answer and the same issue paths
 * (`…[14]` for a bad element), and its JSON Schema, for /openapi.json, is that array's.
 */
function dailySeriesZ(max: number) {
  return z
    .custom<(number | null)[]>((v) => Array.isArray(v), { error: "Invalid input: expected array" })
    .check((ctx) => {
      const a = ctx.value;
      if (a.length > max) {
        ctx.issues.push({
          code: "too_big",
          origin: "array",
          maximum: max,
          inclusive: true,
          input: a,
          message: `Too big: expected array to have <=${max} items`,
        });
        return;
      }
      for (let i = 0; i < a.length; i++) {
        const x = a[i];
        if (x === null || (typeof x === "number" && Number.isFinite(x))) continue;
        ctx.issues.push({
          code: "invalid_type",
          expected: "number",
          input: x,
          path: [i],
          message: `Invalid input: expected number or null, received ${x === undefined ? "undefined" : typeof x}`,
        });
        return;
      }
    })
    .meta({ type: "array", items: { type: ["number", "null"] }, maxItems: max });
}

/**
 * Build the zod schema of a predict request from a model schema: the request shape follows the model, not constants.
 * Structural checks only; ranges and lengths are checked by {@link encodeSite} with exact field paths.
 */
export function buildRequestSchema(schema: ModelSchema, limits: RequestLimits = DEFAULT_LIMITS) {
  const observed = schema.dynamic.filter((f) => f.source === "observed");
  const driverShape = Object.fromEntries(
    observed.map((f) => [
      f.name,
      dailySeriesZ(limits.maxDays)
        .optional()
        .describe(`${f.description} [${f.unit}], valid ${f.min}..${f.max}; null = gap`),
    ]),
  );
  const staticShape = Object.fromEntries(
    schema.static.map((f) => [
      f.name,
      (f.gap === "required" ? z.number() : z.number().nullable().optional()).describe(
        `${f.description} [${f.unit}], valid ${f.min}..${f.max}`,
      ),
    ]),
  );
  // the whole answer of `soilco2 reference` / POST /v1/reference pastes into `static`: the statistics this model
  // does not use are accepted and ignored (they are catalog attributes, computed by the same code)
  const unusedReference = Object.fromEntries(
    REFERENCE_STAT_NAMES.filter((n) => !schema.static.some((f) => f.name === n)).map((n) => [
      n,
      z
        .number()
        .nullable()
        .optional()
        .describe("reference statistic this model does not use: accepted and ignored"),
    ]),
  );
  const cat = schema.categorical;
  const site = z.strictObject({
    id: z.string().max(200).optional().describe("your label for the site, echoed back"),
    static: z.strictObject({
      ...unusedReference,
      ...staticShape,
      [cat.name]: z
        .enum(cat.categories as [string, ...string[]])
        .nullable()
        .optional()
        .describe(`${cat.description}; one of ${cat.categories.join(", ")}`),
    }),
    start: z.iso.date().optional().describe("first day of a consecutive daily series (YYYY-MM-DD)"),
    dates: z
      .array(z.iso.date())
      .max(limits.maxDays)
      .optional()
      .describe("strictly increasing days (YYYY-MM-DD)"),
    drivers: z.strictObject(driverShape),
    calibration: siteCalibrationSchema.optional(),
    spin_up: z
      .enum(["mirror", "repeat", "none"])
      .optional()
      .describe(
        "days before the first date that warm the model up: mirror (default; the series' first days reversed), repeat (the first day), none (a cold start: the first warm-up days are less reliable)",
      ),
  });
  return z.strictObject({ sites: z.array(site).min(1).max(limits.maxSites) });
}

/**
 * Turn one validated site request into raw tensors, checking every value against the schema.
 * @param path prefix for error paths, e.g. `sites[3]`
 * @throws {InputError} naming the offending field, e.g. `sites[3].drivers.tsoil_mean[14]: 75 is above the valid maximum 60`
 */
export function encodeSite(
  site: SiteRequest,
  schema: ModelSchema,
  path = "site",
  limits: RequestLimits = DEFAULT_LIMITS,
): EncodedSite {
  const days = requestDays(site, path, limits);
  const n = days.length;
  const firstDay = days[0]!;
  const span = days[n - 1]! - firstDay + 1;
  if (span > limits.maxDays)
    throw new InputError(
      `${path}.dates`,
      `series spans ${span} days, more than the limit ${limits.maxDays}`,
      "split it into several sites or requests",
    );
  const rows = new Int32Array(n);
  for (let i = 0; i < n; i++) rows[i] = days[i]! - firstDay;
  const cols = schema.dynamic.length;
  const dynamic = new Float32Array(span * cols).fill(Number.NaN);

  for (const name of Object.keys(site.drivers)) {
    if (!schema.dynamic.some((f) => f.name === name && f.source === "observed"))
      throw new InputError(
        `${path}.drivers.${name}`,
        "unknown driver",
        `known drivers: ${observedNames(schema).join(", ")}`,
      );
  }
  const dated = schema.dynamic.some((f) => f.source === "date") ? dateFeatureColumns(firstDay, span) : {};
  schema.dynamic.forEach((f, c) => {
    if (f.source === "date") {
      const col = dated[f.name];
      for (let r = 0; r < span; r++) dynamic[r * cols + c] = col ? col[r]! : Number.NaN;
      return;
    }
    const values = site.drivers[f.name];
    const where = `${path}.drivers.${f.name}`;
    if (values === undefined) {
      if (f.gap === "required") throw new InputError(where, "is required by this model");
      return;
    }
    if (values.length !== n)
      throw new InputError(
        where,
        `has ${values.length} values for ${n} dates`,
        "send one value (or null) per date",
      );
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (v === null || v === undefined || Number.isNaN(v)) {
        if (f.gap === "required") throw new InputError(`${where}[${i}]`, "is required (no gaps allowed)");
        continue;
      }
      // the error path is only built for a value that fails (a template string per checked value showed in profiles)
      if (!(v >= f.min && v <= f.max)) checkRange(v, f, `${where}[${i}]`);
      dynamic[rows[i]! * cols + c] = v;
    }
  });

  return {
    id: site.id,
    days,
    firstDay,
    rows,
    dynamic,
    static: encodeStatic(site.static, schema, `${path}.static`),
  };
}

/**
 * Days a site's tensor will span, read cheaply before validation or encoding (the cost a request causes): first to
 * last of `dates` (a sparse list counts its whole span), else the longest driver. Safe on unvalidated JSON:
 * anything unreadable counts 1, and validation refuses it later.
 * @example siteSpanDays({ dates: ["2000-01-01", "2010-01-07"], static: {}, drivers: {} }) // 3660
 */
export function siteSpanDays(site: unknown): number {
  const { dates, drivers } = (site ?? {}) as { dates?: unknown; drivers?: unknown };
  if (Array.isArray(dates) && dates.length > 0) {
    const [a, b] = [dates[0], dates[dates.length - 1]];
    const first = typeof a === "string" ? dayNumber(a) : undefined;
    const last = typeof b === "string" ? dayNumber(b) : undefined;
    return first === undefined || last === undefined ? 1 : Math.max(1, last - first + 1);
  }
  if (!drivers || typeof drivers !== "object") return 1;
  let n = 1;
  for (const v of Object.values(drivers)) if (Array.isArray(v)) n = Math.max(n, v.length);
  return n;
}

function observedNames(schema: ModelSchema): string[] {
  return schema.dynamic.filter((f) => f.source === "observed").map((f) => f.name);
}

function requestDays(site: SiteRequest, path: string, limits: RequestLimits): number[] {
  const lengths = Object.values(site.drivers).map((v) => v.length);
  if (site.dates !== undefined && site.start !== undefined)
    throw new InputError(`${path}.start`, "give either start or dates, not both");
  if (site.dates !== undefined) {
    if (site.dates.length === 0) throw new InputError(`${path}.dates`, "is empty");
    const days: number[] = [];
    site.dates.forEach((s, i) => {
      const d = dayNumber(s);
      if (d === undefined)
        throw new InputError(`${path}.dates[${i}]`, `"${s}" is not a calendar date (YYYY-MM-DD)`);
      if (i > 0 && d <= days[i - 1]!)
        throw new InputError(
          `${path}.dates[${i}]`,
          `${s} does not come after ${site.dates![i - 1]}`,
          "dates must be strictly increasing",
        );
      days.push(d);
    });
    return days;
  }
  if (site.start === undefined)
    throw new InputError(`${path}.start`, "give start (with consecutive daily drivers) or dates");
  const first = dayNumber(site.start);
  if (first === undefined)
    throw new InputError(`${path}.start`, `"${site.start}" is not a calendar date (YYYY-MM-DD)`);
  const n = lengths.length > 0 ? Math.max(...lengths) : 0;
  if (n === 0)
    throw new InputError(
      `${path}.drivers`,
      "no driver values: with start, the series length comes from the drivers",
    );
  if (n > limits.maxDays)
    throw new InputError(
      `${path}.drivers`,
      `${n} days, more than the limit ${limits.maxDays}`,
      "split the series",
    );
  const days = new Array<number>(n);
  for (let i = 0; i < n; i++) days[i] = first + i;
  return days;
}
