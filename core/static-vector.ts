/** The raw static vector [Ds] of a site: numeric attributes in schema order (NaN = gap), then the land-cover one-hot block. */
import { InputError } from "./errors.ts";
import { type ModelSchema, staticWidth } from "./model-schema.ts";
import { checkRange } from "./value-checks.ts";

/** Encode site attributes into the raw static vector [Ds]: numeric attributes, then the one-hot block. */
export function encodeStatic(
  attrs: Record<string, number | string | null | undefined>,
  schema: ModelSchema,
  path = "static",
): Float32Array {
  const numeric = schema.static.map((f) => {
    const v = attrs[f.name];
    if (v === null || v === undefined) {
      if (f.gap === "required") throw new InputError(`${path}.${f.name}`, "is required by this model");
      return Number.NaN;
    }
    if (typeof v !== "number") throw new InputError(`${path}.${f.name}`, "must be a number");
    checkRange(v, f, `${path}.${f.name}`);
    return v;
  });
  const cat = schema.categorical;
  const value = attrs[cat.name];
  if (value !== null && value !== undefined && !cat.categories.includes(String(value)))
    throw new InputError(
      `${path}.${cat.name}`,
      `unknown value "${String(value)}"`,
      `use one of ${cat.categories.join(", ")}, or null`,
    );
  const row = staticRow(
    numeric,
    value === null || value === undefined ? null : String(value),
    cat.categories,
  );
  if (row.length !== staticWidth(schema)) throw new Error("static row does not match the schema's width");
  return row;
}

/**
 * The one layout of the raw static vector: numeric attributes in order (NaN = gap), then a one-hot block over
 * `categories` (all zeros for a null or unknown category). Training and request encoding both build it here.
 * @returns [numeric.length + categories.length]
 */
export function staticRow(
  numeric: ArrayLike<number>,
  category: string | null,
  categories: readonly string[],
): Float32Array {
  const out = new Float32Array(numeric.length + categories.length);
  out.set(Array.from(numeric));
  const k = category === null ? -1 : categories.indexOf(category);
  if (k >= 0) out[numeric.length + k] = 1;
  return out;
}
