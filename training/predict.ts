/** Whole-series inference in tfjs: every site from its first to its last day, in µmol CO2 m-2 s-1. */
import * as tf from "@tensorflow/tfjs";
import { ensembleMean } from "../core/ensemble.ts";
import { headOf } from "../heads/registry.ts";
import { lstmInfer } from "./lstm.ts";
import type { Architecture, ModelParams } from "./model.ts";

/**
 * Predict full series for many sites. Sites are grouped by length and padded at the end (the LSTM is causal).
 * @param prepared per site, row-major [length, width] LSTM inputs (core/prepare.ts)
 * @returns per site, [length] efflux in µmol CO2 m-2 s-1
 */
export function predictSeries(
  params: ModelParams,
  arch: Architecture,
  prepared: readonly Float32Array[],
  width: number,
  targetScale: number,
  batchSize = 32,
): Float32Array[] {
  const order = prepared.map((p, i) => ({ i, len: p.length / width })).sort((a, b) => a.len - b.len);
  const out: Float32Array[] = new Array(prepared.length);
  for (let k = 0; k < order.length; k += batchSize) {
    const group = order.slice(k, k + batchSize);
    const B = group.length;
    const T = Math.max(...group.map((g) => g.len));
    const x = new Float32Array(T * B * width);
    group.forEach((g, b) => {
      const p = prepared[g.i]!;
      for (let t = 0; t < g.len; t++) x.set(p.subarray(t * width, (t + 1) * width), (t * B + b) * width);
    });
    const input = { data: x, time: T, batch: B, input: width };
    const head = headOf(arch);
    const term = head.term(arch, input);
    const y = tf.tidy(() => tf.mul(head.apply(params, lstmInfer(input, params.lstm), term), targetScale));
    const v = y.dataSync() as Float32Array;
    y.dispose();
    group.forEach((g, b) => {
      const series = new Float32Array(g.len);
      for (let t = 0; t < g.len; t++) series[t] = v[t * B + b]!;
      out[g.i] = series;
    });
  }
  return out;
}

/**
 * The ensemble's series: per site, core/ensemble.ts `ensembleMean` of its members' predictions.
 * @param members per member, per site, [length] efflux
 * @returns per site, [length] efflux
 */
export function ensembleSeries(members: readonly (readonly Float32Array[])[]): Float32Array[] {
  return members[0]!.map((_, i) => ensembleMean(members.map((m) => m[i]!)));
}
