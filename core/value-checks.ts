/** The value checks every runtime applies to request values: a driver's or attribute's valid range, and the land-cover one-hot block. */
import { InputError } from "./errors.ts";

/**
 * Refuse a value that is not finite or lies outside `[f.min, f.max]`.
 * @throws {InputError} at `where`, e.g. `sites[0].drivers.tsoil_mean[3]: 75 is above the valid maximum 60 °C`
 * @example checkRange(12, { min: -40, max: 60, unit: "°C" }, "sites[0].drivers.tsoil_mean[3]")
 */
export function checkRange(v: number, f: { min: number; max: number; unit: string }, where: string): void {
  if (!Number.isFinite(v)) throw new InputError(where, `${v} is not a finite number`);
  if (v < f.min)
    throw new InputError(where, `${v} is below the valid minimum ${f.min} ${f.unit}`, "check the unit");
  if (v > f.max)
    throw new InputError(where, `${v} is above the valid maximum ${f.max} ${f.unit}`, "check the unit");
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
