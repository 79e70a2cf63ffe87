/** Raw tensors (physical units, NaN = gap) to the LSTM's input: normalised values plus one mask channel per column. */
import { inputLayout } from "./input-layout.ts";
import type { ColumnStats } from "./normaliser.ts";

/**
 * Normalise one row in place into `out` at `offset`: `(x - mean) / std`, a NaN becomes 0 with mask 1.
 * Writes `cols` normalised values then `cols` mask values.
 */
export function writeNormalisedWithMask(
  raw: ArrayLike<number>,
  rawOffset: number,
  cols: number,
  stats: ColumnStats,
  out: Float32Array,
  offset: number,
): void {
  for (let c = 0; c < cols; c++) {
    const v = raw[rawOffset + c]!;
    if (Number.isNaN(v)) {
      out[offset + c] = 0;
      out[offset + cols + c] = 1;
    } else {
      out[offset + c] = (v - stats.mean[c]!) / stats.std[c]!;
      out[offset + cols + c] = 0;
    }
  }
}

/**
 * Build the LSTM input for one series.
 * @param dynamicRaw row-major [time, Dd] in physical units, NaN for gaps
 * @param staticRaw [Ds] in physical units (one-hot block included), NaN for gaps
 * @returns row-major [time, 2·(Dd + Ds)], laid out as core/input-layout.ts says
 * @example prepareSeries(new Float32Array([20, NaN]), 2, new Float32Array([45]), dyn, stat) // 1 day, 2 drivers, 1 attribute
 */
export function prepareSeries(
  dynamicRaw: ArrayLike<number>,
  dynamicCols: number,
  staticRaw: ArrayLike<number>,
  dynamicStats: ColumnStats,
  staticStats: ColumnStats,
): Float32Array {
  const staticCols = staticRaw.length;
  const time = dynamicRaw.length / dynamicCols;
  const { width, staticStart } = inputLayout(dynamicCols, staticCols);
  const out = new Float32Array(time * width);
  const staticRow = new Float32Array(2 * staticCols);
  writeNormalisedWithMask(staticRaw, 0, staticCols, staticStats, staticRow, 0);
  for (let t = 0; t < time; t++) {
    writeNormalisedWithMask(dynamicRaw, t * dynamicCols, dynamicCols, dynamicStats, out, t * width);
    out.set(staticRow, t * width + staticStart);
  }
  return out;
}
