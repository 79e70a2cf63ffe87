/** Worker-thread side of {@link createWorkerPredictor}: hosts one model version's onnxruntime-node session. */
import { parentPort, workerData } from "node:worker_threads";
import type * as ortCommon from "onnxruntime-common";
import * as ortNode from "onnxruntime-node";
import type { RawBatch } from "../../core/batch.ts";
import { createProviderSession, type NodeOrt, type ProviderChoice } from "./execution-provider.ts";

/** What the main thread sends: the model and how to open it. */
export interface OrtWorkerData {
  modelBytes: Uint8Array;
  choice: ProviderChoice;
  sessionOptions: ortCommon.InferenceSession.SessionOptions;
}

/** Messages between the threads. */
export type ToWorker = { type: "predict"; id: number; input: RawBatch } | { type: "release" };
export type FromWorker =
  | { type: "ready"; provider: "cuda" | "cpu"; reason: string }
  | { type: "failed"; message: string }
  | { type: "result"; id: number; output?: Float32Array; error?: string }
  | { type: "released" };

const port = parentPort!;
const data = workerData as OrtWorkerData;
const post = (msg: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(msg, transfer);

try {
  const session = await createProviderSession(
    ortNode as unknown as NodeOrt,
    data.modelBytes,
    data.choice,
    data.sessionOptions,
  );
  port.on("message", (msg: ToWorker) => {
    if (msg.type === "release") {
      void session.predictor.release().finally(() => post({ type: "released" }));
      return;
    }
    session.predictor.predict(msg.input).then(
      (y) => {
        const output = new Float32Array(y); // own buffer, transferable
        post({ type: "result", id: msg.id, output }, [output.buffer]);
      },
      (err: unknown) =>
        post({ type: "result", id: msg.id, error: err instanceof Error ? err.message : String(err) }),
    );
  });
  post({ type: "ready", provider: session.provider, reason: session.reason });
} catch (err) {
  post({ type: "failed", message: err instanceof Error ? err.message : String(err) });
}
