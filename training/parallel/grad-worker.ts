/** A data-parallel gradient worker: its own tfjs backend and weights; per message, one shard's loss and gradients. */
import { parentPort, workerData } from "node:worker_threads";
import * as tf from "@tensorflow/tfjs";
import { type BackendName, selectBackend } from "../backend.ts";
import { type Architecture, initParams, paramList } from "../model.ts";
import { type Shard, shardGradients } from "./shard.ts";

/** What the pool sends: the current weights (paramList order) and a shard; the worker answers a ShardResult. */
export interface StepMessage {
  weights: Float32Array[];
  shard: Shard;
}

const { arch, backend } = workerData as { arch: Architecture; backend: BackendName };
await selectBackend(backend);
const params = initParams(arch, 0);
const vars = paramList(params);
const port = parentPort!;
port.on("message", (msg: StepMessage) => {
  try {
    tf.tidy(() => {
      vars.forEach((v, i) => {
        v.assign(tf.tensor(msg.weights[i]!, v.shape));
      });
    });
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
