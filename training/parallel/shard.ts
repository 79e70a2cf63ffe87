/** One training step's loss and gradients on a shard of a batch: the unit of work of data-parallel training. */
import * as tf from "@tensorflow/tfjs";
import { headOf } from "../../heads/registry.ts";
import { maskedLoss } from "../loss.ts";
import type { TimeMajorInput } from "../lstm.ts";
import { lstmSequence } from "../lstm.ts";
import { type Architecture, type ModelParams, paramList } from "../model.ts";
import type { Batch } from "../windows.ts";

/**
 * A batch's windows [b0, b1) with everything a shard's loss needs. `supervised` counts the whole batch's supervised
 * days, so that the shards' losses (and gradients) sum to the batch's.
 */
export interface Shard {
  x: TimeMajorInput;
  /** [time·shardBatch] targets and loss weights. */
  y: Float32Array;
  w: Float32Array;
  /** Dropout multiplier [time·shardBatch, hidden] (0 or 1/(1 − rate)); absent without dropout. */
  dropout?: Float32Array;
  supervised: number;
}

/** Rows [b0, b1) of each time step of a time-major [time, batch, width] array. */
function columns(a: Float32Array, T: number, B: number, width: number, b0: number, b1: number): Float32Array {
  const n = b1 - b0;
  const out = new Float32Array(T * n * width);
  for (let t = 0; t < T; t++) out.set(a.subarray((t * B + b0) * width, (t * B + b1) * width), t * n * width);
  return out;
}

/**
 * The dropout multiplier tf.dropout(h, rate, undefined, seed) applies to hidden states [rows, hidden], made once
 * for the whole batch so that a sharded step drops the very units a single-process step does.
 */
export function dropoutMultiplier(rows: number, hidden: number, rate: number, seed: number): Float32Array {
  const m = tf.tidy(() =>
    tf.div(tf.floor(tf.add(tf.randomUniform([rows, hidden], 0, 1, "float32", seed), 1 - rate)), 1 - rate),
  );
  const data = m.dataSync() as Float32Array;
  m.dispose();
  return data;
}

/**
 * Split a batch into `shards` contiguous groups of windows (sizes differ by at most one; empty shards dropped).
 * @param dropout the whole batch's {@link dropoutMultiplier}, or undefined without dropout
 */
export function splitBatch(batch: Batch, shards: number, hidden: number, dropout?: Float32Array): Shard[] {
  const { time: T, batch: B, input: I } = batch.x;
  let supervised = 0;
  for (const w of batch.w) if (w > 0) supervised++;
  const out: Shard[] = [];
  for (let s = 0; s < shards; s++) {
    const b0 = Math.floor((s * B) / shards);
    const b1 = Math.floor(((s + 1) * B) / shards);
    if (b1 <= b0) continue;
    if (shards === 1) {
      out.push({ x: batch.x, y: batch.y, w: batch.w, dropout, supervised });
      continue;
    }
    out.push({
      x: { data: columns(batch.x.data, T, B, I, b0, b1), time: T, batch: b1 - b0, input: I },
      y: columns(batch.y, T, B, 1, b0, b1),
      w: columns(batch.w, T, B, 1, b0, b1),
      dropout: dropout && columns(dropout, T, B, hidden, b0, b1),
      supervised,
    });
  }
  return out;
}

/** A shard's loss (its share of the batch loss) and gradients, one Float32Array per weight in paramList order. */
export interface ShardResult {
  loss: number;
  grads: Float32Array[];
}

/**
 * Loss and gradients of one shard: the network of training/model.ts `forward` (LSTM, dropout, head) and the masked
 * loss of training/train-loop.ts, with the dropout multiplier given instead of drawn.
 */
export function shardGradients(params: ModelParams, arch: Architecture, shard: Shard): ShardResult {
  const head = headOf(arch);
  const prior = head.term(arch, shard.x);
  const vars = paramList(params);
  const { value, grads } = tf.variableGrads(
    () =>
      tf.tidy(() => {
        let h: tf.Tensor2D = lstmSequence(shard.x, params.lstm);
        if (shard.dropout) h = tf.mul(h, tf.tensor2d(shard.dropout, h.shape)) as tf.Tensor2D;
        const pred = head.apply(params, h, prior);
        return maskedLoss(pred, tf.tensor1d(shard.y), tf.tensor1d(shard.w), shard.supervised);
      }),
    vars,
  );
  const out = {
    loss: value.dataSync()[0]!,
    grads: vars.map((v) => grads[v.name]!.dataSync() as Float32Array),
  };
  tf.dispose([value, ...Object.values(grads)]);
  return out;
}

/** Sum shard results in shard order (a fixed order: the same batch and shard count give the same bits). */
export function sumShards(results: readonly ShardResult[]): ShardResult {
  const grads = results[0]!.grads.map((g) => new Float32Array(g));
  let loss = results[0]!.loss;
  for (const r of results.slice(1)) {
    loss += r.loss;
    r.grads.forEach((g, i) => {
      const acc = grads[i]!;
      for (let j = 0; j < g.length; j++) acc[j] = acc[j]! + g[j]!;
    });
  }
  return { loss, grads };
}
