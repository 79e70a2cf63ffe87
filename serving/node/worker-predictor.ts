/**
 * A model version's session on its own worker thread. onnxruntime-node runs `session.run` synchronously on the
 * calling thread, so a session on the main thread would stop HTTP (health probes included) for the length of every
 * batch; on a worker, parsing and validating the next requests overlaps with inference.
 */
import { Worker } from "node:worker_threads";
import type * as ortCommon from "onnxruntime-common";
import type { RawBatch } from "../../core/batch.ts";
import type { ProviderChoice, ProviderSession } from "./execution-provider.ts";
import type { FromWorker, OrtWorkerData, ToWorker } from "./ort-worker.ts";

/** The worker entry: registers tsx in the worker (the sources are TypeScript), then loads ort-worker.ts. */
function workerSource(): string {
  const tsx = import.meta.resolve("tsx/esm/api");
  const entry = new URL("./ort-worker.ts", import.meta.url).href;
  return `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
}

/**
 * Start a worker holding one session on the provider `choice` allows (see `createProviderSession`); resolves once
 * the session exists. `predict` copies its inputs to the worker and gets the output back without a copy.
 * @throws {Error} when the session cannot be created (e.g. `--provider cuda` without CUDA)
 * @example const { predictor, provider } = await createWorkerPredictor(modelBytes, "auto");
 */
export async function createWorkerPredictor(
  modelBytes: Uint8Array,
  choice: ProviderChoice,
  sessionOptions: ortCommon.InferenceSession.SessionOptions = {},
): Promise<ProviderSession> {
  const data: OrtWorkerData = { modelBytes, choice, sessionOptions };
  const worker = new Worker(workerSource(), { eval: true, workerData: data });
  const pending = new Map<number, { resolve(y: Float32Array): void; reject(e: Error): void }>();
  let nextId = 0;
  let dead: Error | undefined;
  let onReleased: (() => void) | undefined;
  const failAll = (err: Error) => {
    dead ??= err;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };

  const ready = new Promise<{ provider: "cuda" | "cpu"; reason: string }>((resolve, reject) => {
    worker.on("message", (msg: FromWorker) => {
      if (msg.type === "ready") resolve({ provider: msg.provider, reason: msg.reason });
      else if (msg.type === "failed") reject(new Error(msg.message));
      else if (msg.type === "released") onReleased?.();
      else {
        const p = pending.get(msg.id);
        pending.delete(msg.id);
        if (msg.output) p?.resolve(msg.output);
        else p?.reject(new Error(msg.error ?? "inference failed"));
      }
    });
    worker.on("error", (err) => {
      failAll(err);
      reject(err);
    });
    worker.on("exit", (code) => {
      const err = new Error(`inference worker exited (code ${code})`);
      failAll(err);
      reject(err);
    });
  });
  const started = await ready.catch(async (err: unknown) => {
    await worker.terminate();
    throw err;
  });

  return {
    ...started,
    predictor: {
      predict(input: RawBatch) {
        if (dead) return Promise.reject(dead);
        const id = nextId++;
        const dynamic = input.dynamic.slice();
        const stat = input.static.slice();
        const msg: ToWorker = { type: "predict", id, input: { ...input, dynamic, static: stat } };
        return new Promise<Float32Array>((resolve, reject) => {
          pending.set(id, { resolve, reject });
          worker.postMessage(msg, [dynamic.buffer, stat.buffer]);
        });
      },
      async release() {
        if (dead) return;
        await new Promise<void>((resolve) => {
          onReleased = resolve;
          worker.postMessage({ type: "release" } satisfies ToWorker);
        });
        dead = new Error("the model session was released");
        await worker.terminate();
      },
    },
  };
}
