/**
 * Synchronous data-parallel training steps over worker threads: each batch is split into `workers` shards, the
 * calling thread computes the first and one worker thread (its own tfjs backend) each of the others; gradients are
 * summed in shard order, so a step is bit-for-bit repeatable for a given batch and worker count, and equals the
 * single-thread step on the same batch to float rounding. Written here: no library does data parallel for tfjs in
 * Node (tfjs-node's own threads help only its native backend, which is optional and absent offline).
 */
import { Worker } from "node:worker_threads";
import * as tf from "@tensorflow/tfjs";
import type { BackendName } from "../backend.ts";
import type { Architecture, ModelParams } from "../model.ts";
import { paramList } from "../model.ts";
import { predictSeries } from "../predict.ts";
import type { Batch } from "../windows.ts";
import type { WorkerMessage } from "./grad-worker.ts";
import { dropoutMultiplier, type ShardResult, shardGradients, splitBatch, sumShards } from "./shard.ts";

/** A pool of gradient workers for one network. */
export interface GradPool {
  /** Threads a step uses, the calling one included. */
  readonly workers: number;
  /**
   * Loss and gradients of one batch (dropout `rate` drawn with `seed` over the whole batch, as tf.dropout does).
   * @returns the batch loss and the gradients as tensors keyed by variable name (the caller disposes them)
   */
  step(
    params: ModelParams,
    batch: Batch,
    rate: number,
    seed: number,
  ): Promise<{ loss: number; grads: tf.NamedTensorMap }>;
  /**
   * training/predict.ts `predictSeries` with the sites shared out over the threads (balanced by length).
   * @returns per site, [length] efflux in µmol CO2 m-2 s-1
   */
  series(
    params: ModelParams,
    prepared: readonly Float32Array[],
    width: number,
    targetScale: number,
    batchSize: number,
  ): Promise<Float32Array[]>;
  close(): Promise<void>;
}

type Reply<R> = { ok: true; ready?: true; result?: R } | { ok: false; error: string };

/** Site indices shared out into `parts` lists of about equal total length (longest first, to the lightest list). */
export function shareSites(lengths: readonly number[], parts: number): number[][] {
  const out: number[][] = Array.from({ length: parts }, () => []);
  const load = new Array(parts).fill(0);
  const order = lengths.map((len, i) => ({ i, len })).sort((a, b) => b.len - a.len || a.i - b.i);
  for (const { i, len } of order) {
    const k = load.indexOf(Math.min(...load));
    out[k]!.push(i);
    load[k] += len;
  }
  return out;
}

/** The next message of a worker, as a promise; a worker error or exit rejects it. */
function nextReply<R>(w: Worker): Promise<R | undefined> {
  return new Promise((resolve, reject) => {
    const done = () => {
      w.off("message", onMessage);
      w.off("error", onError);
      w.off("exit", onExit);
    };
    const onMessage = (m: Reply<R>) => {
      done();
      if (m.ok) resolve(m.result);
      else reject(new Error(`gradient worker failed: ${m.error}`));
    };
    const onError = (e: Error) => {
      done();
      reject(e);
    };
    const onExit = (code: number) => {
      done();
      reject(new Error(`gradient worker exited with code ${code}`));
    };
    w.on("message", onMessage);
    w.on("error", onError);
    w.on("exit", onExit);
  });
}

/**
 * Start `workers − 1` worker threads (none for 1) with the given architecture and tfjs backend.
 * @example const pool = await createGradPool(arch, 2, "wasm"); try { … } finally { await pool.close(); }
 */
export async function createGradPool(
  arch: Architecture,
  workers: number,
  backend: BackendName,
): Promise<GradPool> {
  const threads: Worker[] = [];
  try {
    for (let k = 1; k < workers; k++) {
      const w = new Worker(new URL("./grad-worker.js", import.meta.url), { workerData: { arch, backend } });
      threads.push(w);
    }
    await Promise.all(threads.map(nextReply));
  } catch (err) {
    await Promise.all(threads.map((w) => w.terminate()));
    throw err;
  }
  return {
    workers,
    async step(params, batch, rate, seed) {
      const { time: T, batch: B } = batch.x;
      const dropout = rate > 0 ? dropoutMultiplier(T * B, arch.hidden, rate, seed) : undefined;
      const shards = splitBatch(batch, workers, arch.hidden, dropout);
      const vars = paramList(params);
      const weights = threads.length > 0 ? vars.map((v) => v.dataSync() as Float32Array) : [];
      const pending = shards.slice(1).map((shard, k) => {
        const w = threads[k]!;
        const reply = nextReply<ShardResult>(w);
        const msg: WorkerMessage = { weights, shard };
        w.postMessage(msg);
        return reply;
      });
      const own = shardGradients(params, arch, shards[0]!);
      const results = [own, ...((await Promise.all(pending)) as ShardResult[])];
      const sum = sumShards(results);
      const grads = Object.fromEntries(vars.map((v, i) => [v.name, tf.tensor(sum.grads[i]!, v.shape)]));
      return { loss: sum.loss, grads };
    },
    async series(params, prepared, width, targetScale, batchSize) {
      const parts = shareSites(
        prepared.map((p) => p.length / width),
        workers,
      ).filter((p) => p.length > 0);
      const weights = parts.length > 1 ? paramList(params).map((v) => v.dataSync() as Float32Array) : [];
      const pending = parts.slice(1).map((part, k) => {
        const w = threads[k]!;
        const reply = nextReply<Float32Array[]>(w);
        const msg: WorkerMessage = {
          weights,
          series: { prepared: part.map((i) => prepared[i]!), width, targetScale, batchSize },
        };
        w.postMessage(msg);
        return reply;
      });
      const own = predictSeries(
        params,
        arch,
        parts[0]!.map((i) => prepared[i]!),
        width,
        targetScale,
        batchSize,
      );
      const results = [own, ...((await Promise.all(pending)) as Float32Array[][])];
      const out: Float32Array[] = new Array(prepared.length);
      parts.forEach((part, k) => {
        part.forEach((site, j) => {
          out[site] = results[k]![j]!;
        });
      });
      return out;
    },
    async close() {
      await Promise.all(threads.map((w) => w.terminate()));
    },
  };
}
