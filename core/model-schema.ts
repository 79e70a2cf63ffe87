/** The model schema: everything a runtime needs to turn a request into tensors, carried by every exported model. */
import { z } from "zod";
import { SchemaError } from "./errors.ts";

/** Version of this schema format. Runtimes refuse any other value. */
export const SCHEMA_VERSION = 1;
/** Value of `format`, so a stray JSON file is never taken for a model schema. */
export const SCHEMA_FORMAT = "soilco2-model-schema";

const featureSpec = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9_]*$/),
  unit: z.string(),
  description: z.string(),
  min: z.number(),
  max: z.number(),
  gap: z.enum(["mask", "required"]),
  source: z.enum(["observed", "date"]),
});

const columnStats = z.strictObject({
  /** Per tensor column, in column order. */
  mean: z.array(z.number()),
  std: z.array(z.number().positive()),
});

/** zod schema of {@link ModelSchema}; `parseModelSchema` is the only way runtimes should read one. */
export const modelSchemaZ = z.strictObject({
  format: z.literal(SCHEMA_FORMAT),
  schemaVersion: z.literal(SCHEMA_VERSION),
  /** Daily drivers, in the column order of the `dynamic` input tensor [batch, time, dynamic.length]. */
  dynamic: z.array(featureSpec).min(1),
  /** Numeric site attributes: the first columns of the `static` input tensor. */
  static: z.array(featureSpec),
  /** Categorical site attribute, one-hot encoded after the numeric static columns (all zeros = unknown). */
  categorical: z.strictObject({
    name: z.string(),
    description: z.string(),
    categories: z.array(z.string()).min(1),
  }),
  target: z.strictObject({ name: z.string(), unit: z.string(), description: z.string() }),
  /** Days at the start of a series whose predictions are less reliable (the LSTM state is spinning up). */
  warmupDays: z.number().int().nonnegative(),
  /** Normalisation fitted on the training split; `(x - mean) / std` per column, output = head(z) * targetScale. */
  normaliser: z.strictObject({
    dynamic: columnStats,
    static: columnStats,
    targetScale: z.number().positive(),
  }),
});

/** The schema that travels with a model (manifest.json and ONNX metadata_props). */
export type ModelSchema = z.infer<typeof modelSchemaZ>;
export type FeatureSpecZ = z.infer<typeof featureSpec>;

/** Number of columns of the `static` input tensor: numeric attributes plus the one-hot block. */
export function staticWidth(schema: ModelSchema): number {
  return schema.static.length + schema.categorical.categories.length;
}

/** Column names of the `static` tensor, e.g. `["latitude", ..., "igbp=ENF", ...]`. */
export function staticColumns(schema: ModelSchema): string[] {
  return [
    ...schema.static.map((f) => f.name),
    ...schema.categorical.categories.map((c) => `${schema.categorical.name}=${c}`),
  ];
}

/**
 * Validate an unknown value as a model schema, with a clear error for anything this version does not understand.
 * @throws {SchemaError} naming the first offending field.
 */
export function parseModelSchema(value: unknown): ModelSchema {
  const r = modelSchemaZ.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0];
    const where = issue?.path.join(".") || "(root)";
    throw new SchemaError(`model schema not understood at ${where}: ${issue?.message ?? "invalid"}`);
  }
  const s = r.data;
  const width = staticWidth(s);
  if (
    s.normaliser.dynamic.mean.length !== s.dynamic.length ||
    s.normaliser.dynamic.std.length !== s.dynamic.length
  )
    throw new SchemaError(
      `normaliser.dynamic has ${s.normaliser.dynamic.mean.length} columns, expected ${s.dynamic.length}`,
    );
  if (s.normaliser.static.mean.length !== width || s.normaliser.static.std.length !== width)
    throw new SchemaError(
      `normaliser.static has ${s.normaliser.static.mean.length} columns, expected ${width}`,
    );
  return s;
}
