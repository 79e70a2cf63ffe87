/** Stack encoded sites into one batch: series of unequal length are padded at the end (the LSTM is causal, so padding never changes earlier outputs). */
import type { EncodedSite } from "./request.ts";

/** A batch of raw tensors ready for a runtime. */
export interface RawBatch {
  /** Row-major [batch, time, Dd], NaN for gaps and padding. */
  dynamic: Float32Array;
  /** Row-major [batch, Ds]. */
  static: Float32Array;
  batch: number;
  time: number;
  dynamicCols: number;
  staticCols: number;
}

/** Time length of a site's tensor. */
export function siteLength(site: EncodedSite, dynamicCols: number): number {
  return site.dynamic.length / dynamicCols;
}

/**
 * Pad and stack sites into [batch, maxTime, Dd] and [batch, Ds].
 * @example stackSites([a, b], 8, 22).time // max of the two lengths
 */
export function stackSites(sites: readonly EncodedSite[], dynamicCols: number, staticCols: number): RawBatch {
  const time = Math.max(1, ...sites.map((s) => siteLength(s, dynamicCols)));
  const dynamic = new Float32Array(sites.length * time * dynamicCols).fill(Number.NaN);
  const stat = new Float32Array(sites.length * staticCols);
  sites.forEach((s, b) => {
    dynamic.set(s.dynamic, b * time * dynamicCols);
    stat.set(s.static, b * staticCols);
  });
  return { dynamic, static: stat, batch: sites.length, time, dynamicCols, staticCols };
}

/** Row `b` of a [batch, time] output as a view. */
export function outputRow(output: Float32Array, b: number, time: number): Float32Array {
  return output.subarray(b * time, (b + 1) * time);
}
