/** Run encoded sites through a predictor: sites of similar length share a call, so little time goes into padding. */
import { outputRow, siteLength, stackSites } from "../core/batch.ts";
import type { EncodedSite } from "../core/request.ts";
import type { BatchPredictor } from "./registry.ts";

/** A site's raw tensors: `dynamic` row-major [time, Dd], `static` [Ds] (an {@link EncodedSite} is one). */
export type SiteTensors = Pick<EncodedSite, "dynamic" | "static">;

/**
 * Most padding accepted in one call: a group's `size × longest` may be at most this factor times the sum of its
 * lengths. Sorted by length, sites fill groups greedily.
 */
export const PADDING_FACTOR = 1.5;

/**
 * Split sites (any order) into groups of similar length: indices into `lengths`, each group sorted by length.
 * @example groupByLength([365, 30, 360, 31]) // [[1, 3], [2, 0]]
 */
export function groupByLength(lengths: readonly number[], factor = PADDING_FACTOR): number[][] {
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[a]! - lengths[b]!);
  const groups: number[][] = [];
  let group: number[] = [];
  let sum = 0;
  for (const i of order) {
    const len = lengths[i]!;
    if (group.length > 0 && (group.length + 1) * len > factor * (sum + len)) {
      groups.push(group);
      group = [];
      sum = 0;
    }
    group.push(i);
    sum += len;
  }
  if (group.length > 0) groups.push(group);
  return groups;
}

/**
 * Predict every site: one `predict` call per length group; returns each site's efflux row [time] in input order
 * (views into the model output, µmol CO2 m-2 s-1).
 */
export async function runSites(
  predictor: BatchPredictor,
  sites: readonly SiteTensors[],
  dynamicCols: number,
  staticCols: number,
): Promise<Float32Array[]> {
  const lengths = sites.map((s) => siteLength(s as EncodedSite, dynamicCols));
  const out = new Array<Float32Array>(sites.length);
  for (const group of groupByLength(lengths)) {
    const batch = stackSites(
      group.map((i) => sites[i]! as EncodedSite),
      dynamicCols,
      staticCols,
    );
    const y = await predictor.predict(batch);
    if (y.length !== batch.batch * batch.time)
      throw new Error(`model returned ${y.length} values for a [${batch.batch}, ${batch.time}] batch`);
    group.forEach((i, b) => {
      out[i] = outputRow(y, b, batch.time).subarray(0, lengths[i]!);
    });
  }
  return out;
}
