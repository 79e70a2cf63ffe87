/** Column normalisation: fitted on the training split only, applied identically by training, export and runtimes. */

/** Mean and standard deviation per tensor column. */
export interface ColumnStats {
  mean: number[];
  std: number[];
}

/** Smallest standard deviation used; constant or empty columns get std 1 so they pass through unscaled. */
export const MIN_STD = 1e-6;

/**
 * Fit mean and std (population) per column of a row-major matrix, ignoring NaN.
 * Columns listed in `identity` (e.g. one-hot) get mean 0, std 1.
 * @param values row-major [rows, cols]
 */
export function fitColumnStats(
  values: ArrayLike<number>,
  cols: number,
  identity: ReadonlySet<number> = new Set(),
): ColumnStats {
  const n = new Float64Array(cols);
  const sum = new Float64Array(cols);
  const sum2 = new Float64Array(cols);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isNaN(v)) continue;
    const c = i % cols;
    n[c]!++;
    sum[c]! += v;
  }
  const mean = Array.from(sum, (s, c) => (n[c]! > 0 ? s / n[c]! : 0));
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isNaN(v)) continue;
    const c = i % cols;
    const d = v - mean[c]!;
    sum2[c]! += d * d;
  }
  const std = Array.from(sum2, (s, c) => {
    const sd = n[c]! > 1 ? Math.sqrt(s / n[c]!) : 1;
    return sd > MIN_STD ? sd : 1;
  });
  for (const c of identity) {
    mean[c] = 0;
    std[c] = 1;
  }
  return { mean, std };
}

/**
 * Scale of the target: root mean square of the training targets (NaN ignored).
 * The network works in target / scale (its prior too, training/model.ts) and its output is multiplied by it; a scale,
 * not a shift, so a non-negative target keeps its zero.
 */
export function fitTargetScale(values: ArrayLike<number>): number {
  let s = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isNaN(v)) continue;
    s += v * v;
    n++;
  }
  const rms = n > 0 ? Math.sqrt(s / n) : 1;
  return rms > MIN_STD ? rms : 1;
}
