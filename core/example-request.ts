/**
 * Example requests for the API docs ("Try it out" in /docs): built from a model's schema so they always validate.
 * Values are 7 days of COSORE dataset d20200305_VARGAS (James Reserve, California, July 2007; CC BY 4.0, see
 * edge/demo), and the catalog's mid-range for any feature that site lacks.
 */
import type { ModelSchema } from "./model-schema.ts";
import type { PredictRequest } from "./request.ts";

const DAYS = 7;
/** Daily means of the example site, 2007-06-30 .. 2007-07-06. */
const SITE_DRIVERS: Record<string, number[]> = {
  tsoil_mean: [22.08, 23.46, 23.55, 24.1, 24.52, 25.85, 26.24],
  tsoil_min: [10.79, 13.06, 13.05, 12.86, 15.04, 16.28, 17.0],
  tsoil_max: [42.58, 43.35, 43.63, 44.08, 38.23, 43.5, 43.92],
  swc_mean: [0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05],
  tair_mean: [17.62, 19.56, 19.77, 20.59, 22.29, 23.45, 23.27],
};
/** Its attributes; efflux measured those days, µmol m-2 s-1: 1.58 1.71 1.68 1.90 1.89 1.96 2.00. */
const SITE_STATIC: Record<string, number | string> = { latitude: 33.8083, elevation: 1640, igbp: "MF" };
const START = "2007-06-30";

const mid = (f: { min: number; max: number }) => Number(((f.min + f.max) / 2).toFixed(2));

/**
 * A one-site, 7-day `POST /v1/predict` body for `schema`: `start` (not `dates`), every observed driver, the
 * required static attributes. Not a prediction: a warm-up of `schema.warmupDays` applies to the answer.
 * @example exampleRequest(schema).sites[0].start // "2007-06-30"
 */
export function exampleRequest(schema: ModelSchema): PredictRequest {
  const drivers = Object.fromEntries(
    schema.dynamic
      .filter((f) => f.source === "observed")
      .map((f) => [f.name, SITE_DRIVERS[f.name] ?? Array.from({ length: DAYS }, () => mid(f))]),
  );
  const attrs: Record<string, number | string> = {};
  for (const f of schema.static) {
    const v = SITE_STATIC[f.name];
    if (typeof v === "number") attrs[f.name] = v;
    else if (f.gap === "required") attrs[f.name] = mid(f);
  }
  const cat = schema.categorical;
  const category = SITE_STATIC[cat.name];
  attrs[cat.name] =
    typeof category === "string" && cat.categories.includes(category) ? category : cat.categories[0]!;
  return { sites: [{ id: "james-reserve", static: attrs, start: START, drivers }] } as PredictRequest;
}

/** A `POST /v1/reference` body: the same site's measured efflux and soil temperature and moisture. */
export const EXAMPLE_REFERENCE_REQUEST = {
  flux_mean: [1.58, 1.71, 1.68, 1.9, 1.89, 1.96, 2.0],
  tsoil_mean: SITE_DRIVERS.tsoil_mean!,
  swc_mean: SITE_DRIVERS.swc_mean!,
};
