/** Deterministic random model inputs within the schema's valid ranges, with NaN gaps: parity cases and golden fixtures. */
import { dateFeatureColumns } from "../core/date-features.ts";
import type { FeatureSpec } from "../core/features.ts";
import type { ModelSchema } from "../core/model-schema.ts";
import type { RawInput } from "./tfjs-reference.ts";

/** Shape and gappiness of a random input. */
export interface WindowSpec {
  batch: number;
  time: number;
  /** Chance that a gap-allowed driver value is NaN (default 0). */
  gapRate?: number;
  /** Chance that a gap-allowed numeric site attribute is NaN (default 0). */
  staticGapRate?: number;
  /** Chance per series of one block of consecutive days with every gap-allowed driver missing (default 0). */
  blockGapRate?: number;
}

function normal(rand: () => number): number {
  const u = Math.max(rand(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

/** A value around the training distribution (mean ± 1.5·std), clipped to the feature's valid range. */
function drawValue(f: FeatureSpec, mean: number, std: number, rand: () => number): number {
  const v = mean + 1.5 * std * normal(rand);
  return Math.min(f.max, Math.max(f.min, v));
}

/**
 * Random raw inputs: drivers around the normaliser's mean ± 1.5·std clipped to each feature's range, the date
 * features from a random start day, one random land-cover class (or none), NaN gaps where the schema allows them.
 * @returns [batch, time, Dd] and [batch, Ds] in physical units
 * @example randomInput(schema, { batch: 3, time: 60, gapRate: 0.1 }, seededRng(1))
 */
export function randomInput(schema: ModelSchema, spec: WindowSpec, rand: () => number): RawInput {
  const { batch: B, time: T } = spec;
  const Dd = schema.dynamic.length;
  const S = schema.static.length;
  const K = schema.categorical.categories.length;
  const dynamic = new Float32Array(B * T * Dd);
  const stat = new Float32Array(B * (S + K));
  const nd = schema.normaliser.dynamic;
  const ns = schema.normaliser.static;
  for (let b = 0; b < B; b++) {
    const startDay = 7300 + Math.floor(rand() * 7300); // 1990..2010
    let blockStart = -1;
    let blockEnd = -1;
    if (rand() < (spec.blockGapRate ?? 0) && T > 2) {
      blockStart = Math.floor(rand() * T);
      blockEnd = Math.min(T, blockStart + 1 + Math.floor(rand() * Math.min(30, T / 2)));
    }
    const dated = dateFeatureColumns(startDay, T);
    for (let t = 0; t < T; t++) {
      const inBlock = t >= blockStart && t < blockEnd;
      schema.dynamic.forEach((f, c) => {
        const i = (b * T + t) * Dd + c;
        if (f.source === "date") dynamic[i] = dated[f.name]?.[t] ?? Number.NaN;
        else if (f.gap === "mask" && (inBlock || rand() < (spec.gapRate ?? 0))) dynamic[i] = Number.NaN;
        else dynamic[i] = drawValue(f, nd.mean[c]!, nd.std[c]!, rand);
      });
    }
    schema.static.forEach((f, c) => {
      stat[b * (S + K) + c] =
        f.gap === "mask" && rand() < (spec.staticGapRate ?? 0)
          ? Number.NaN
          : drawValue(f, ns.mean[c]!, ns.std[c]!, rand);
    });
    const k = Math.floor(rand() * (K + 1)); // k === K: unknown land cover, all zeros
    if (k < K) stat[b * (S + K) + S + k] = 1;
  }
  return { dynamic, static: stat, batch: B, time: T };
}
