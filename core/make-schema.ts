/** Assemble a model schema from feature names in the catalog plus a fitted normaliser. */

import { ConfigError } from "./errors.ts";
import { DYNAMIC_FEATURES, type FeatureSpec, IGBP_FEATURE, STATIC_FEATURES, TARGET } from "./features.ts";
import { type ModelSchema, parseModelSchema, SCHEMA_FORMAT, SCHEMA_VERSION } from "./model-schema.ts";
import type { ColumnStats } from "./normaliser.ts";

/**
 * Default model inputs: every daily driver; site attributes that carry climate (not longitude, which only
 * identifies sites), and the site's reference statistics from its own measurements (optional for clients).
 */
export const DEFAULT_DYNAMIC = DYNAMIC_FEATURES.map((f) => f.name);
export const DEFAULT_STATIC = [
  "latitude",
  "elevation",
  "mat",
  "map",
  "flux_ref",
  "flux_sd",
  "flux_q10",
  "tsoil_ref",
];

/** Catalog entries for the given names, in the given order. @throws {ConfigError} for an unknown name. */
export function pickFeatures(
  names: readonly string[],
  catalog: readonly FeatureSpec[],
  what: string,
): FeatureSpec[] {
  return names.map((n) => {
    const f = catalog.find((c) => c.name === n);
    if (!f)
      throw new ConfigError(
        `unknown ${what} feature "${n}"`,
        `known: ${catalog.map((c) => c.name).join(", ")}`,
      );
    return { ...f };
  });
}

/** Build and validate a schema. `normaliser` columns follow the dynamic names and the static names + one-hot block. */
export function makeModelSchema(opts: {
  dynamic: readonly string[];
  static: readonly string[];
  warmupDays: number;
  normaliser: { dynamic: ColumnStats; static: ColumnStats; targetScale: number };
}): ModelSchema {
  return parseModelSchema({
    format: SCHEMA_FORMAT,
    schemaVersion: SCHEMA_VERSION,
    dynamic: pickFeatures(opts.dynamic, DYNAMIC_FEATURES, "dynamic"),
    static: pickFeatures(opts.static, STATIC_FEATURES, "static"),
    categorical: {
      name: IGBP_FEATURE.name,
      description: IGBP_FEATURE.description,
      categories: [...IGBP_FEATURE.categories],
    },
    target: { ...TARGET },
    warmupDays: opts.warmupDays,
    normaliser: opts.normaliser,
  });
}
