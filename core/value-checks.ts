/** The value checks every validator applies to request values (a valid range per column, the land-cover one-hot block), and each tensor column's check. */
import { InputError } from "./errors.ts";
import { type ModelSchema, staticColumns } from "./model-schema.ts";

/** What one raw tensor column accepts: its valid range `[min, max]` in `unit`, and whether NaN (a gap) may stand in it. */
export interface ColumnCheck {
  name: string;
  unit: string;
  min: number;
  max: number;
  gapAllowed: boolean;
}

/**
 * Refuse a value that is not finite or lies outside `[f.min, f.max]`.
 * @param hint what to do next, in the error (default "check the unit")
 * @throws {InputError} at `where`, e.g. `sites[0].drivers.tsoil_mean[3]: 75 is above the valid maximum 60 °C`
 * @example checkRange(12, { min: -40, max: 60, unit: "°C" }, "sites[0].drivers.tsoil_mean[3]")
 */
export function checkRange(
  v: number,
  f: { min: number; max: number; unit: string },
  where: string,
  hint = "check the unit",
): void {
  if (!Number.isFinite(v)) throw new InputError(where, `${v} is not a finite number`, hint);
  if (v < f.min) throw new InputError(where, `${v} is below the valid minimum ${f.min} ${f.unit}`, hint);
  if (v > f.max) throw new InputError(where, `${v} is above the valid maximum ${f.max} ${f.unit}`, hint);
}

/** The checks of the `dynamic` tensor's columns [Dd], in column order. */
export function dynamicColumnChecks(schema: ModelSchema): ColumnCheck[] {
  return schema.dynamic.map((f) => ({ ...f, gapAllowed: f.gap === "mask" }));
}

/** The checks of the `static` tensor's columns [Ds]: the numeric attributes, then the one-hot block (0..1, no gap). */
export function staticColumnChecks(schema: ModelSchema): ColumnCheck[] {
  return staticColumns(schema).map((name, i) => {
    const f = schema.static[i];
    return f
      ? { name, unit: f.unit, min: f.min, max: f.max, gapAllowed: f.gap === "mask" }
      : { name, unit: "1 (one-hot)", min: 0, max: 1, gapAllowed: false };
  });
}

/**
 * Refuse a one-hot block that is not exactly one 1 among 0s, or all 0s (unknown category).
 * @param block [categories.length] values of one row
 * @throws {InputError} at `where`, naming the categories set or the value that is neither 0 nor 1
 * @example checkOneHot([0, 1, 0], ["DBF", "ENF", "WAT"], "inputs[1].data (row 0, igbp)")
 */
export function checkOneHot(block: ArrayLike<number>, categories: readonly string[], where: string): void {
  const hint = "set the one column of the site's category to 1 and the others to 0 (all 0 for unknown)";
  const ones: string[] = [];
  for (let i = 0; i < block.length; i++) {
    const v = block[i]!;
    if (v === 1) ones.push(categories[i] ?? String(i));
    else if (v !== 0)
      throw new InputError(
        where,
        `${v} in column ${categories[i] ?? i} of the one-hot block is neither 0 nor 1`,
        hint,
      );
  }
  if (ones.length > 1)
    throw new InputError(
      where,
      `the one-hot block sets ${ones.length} categories (${ones.join(", ")}), at most one may be 1`,
      hint,
    );
}
