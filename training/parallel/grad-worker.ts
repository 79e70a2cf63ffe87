/** A data-parallel worker: its own tfjs backend and weights; per message, a shard's gradients or sites' series. */
import { parentPort, workerData } from "node:worker_threads";
import * as tf from "@tensorflow/tfjs";
import { type BackendName, selectBackend } from "../backend.ts";
import { type Architecture, initParams, paramList } from "../model.ts";
import { predictSeries } from "../predict.ts";
import { type Shard, shardGradients } from "./shard.ts";

/**
 * What the pool sends: the current weights (paramList order) and either a shard (the worker answers a ShardResult)
 * or sites to predict (it answers their training/predict.ts `predictSeries`).
 */
export type WorkerMessage = { weights: Float32Array[] } & (
  | { shard: Shard }
  | { series: { prepared: Float32Array[]; width: number; targetScale: number; batchSize: number } }
);

const { arch, backend } = workerData as { arch: Architecture; backend: BackendName };
await selectBackend(backend);
const params = initParams(arch, 0);
const vars = paramList(params);
const port = parentPort!;
port.on("message", (msg: WorkerMessage) => {
  try {
    tf.tidy(() => {
      vars.forEach((v, i) => {
        v.assign(tf.tensor(msg.weights[i]!, v.shape));
      });
    });
    if ("series" in msg) {
      const { prepared, width, targetScale, batchSize } = msg.series;
      const r = predictSeries(params, arch, prepared, width, targetScale, batchSize);
      port.postMessage(
        { ok: true, result: r },
        r.map((a) => a.buffer as ArrayBuffer),
      );
      return;
    }
    const r = shardGradients(params, arch, msg.shard);
    port.postMessage(
      { ok: true, result: r },
      r.grads.map((g) => g.buffer as ArrayBuffer),
    );
  } catch (err) {
    port.postMessage({ ok: false, error: (err as Error).stack ?? String(err) });
  }
});
port.postMessage({ ok: true, ready: true });
