/**
 * A model version's session on its own worker thread, restarted when the thread dies. onnxruntime-node runs
 * `session.run` synchronously on the calling thread, so a session on the main thread would stop HTTP (health probes
 * included) for the length of every batch; on a worker, parsing and validating the next requests overlaps with
 * inference. Written by hand: no library supervises a worker thread that holds native state.
 */
import { Worker } from "node:worker_threads";
import type * as ortCommon from "onnxruntime-common";
import type { RawBatch } from "../../core/batch.ts";
import { HttpError } from "../errors.ts";
import type { BatchPredictor } from "../registry.ts";
import type { ProviderChoice, ProviderSession } from "./execution-provider.ts";
import type { FromWorker, OrtWorkerData, ToWorker } from "./ort-worker.ts";

/** The worker entry: registers tsx in the worker (the sources are TypeScript), then loads ort-worker.ts. */
function workerSource(): string {
  const tsx = import.meta.resolve("tsx/esm/api");
  const entry = new URL("./ort-worker.ts", import.meta.url).href;
  return `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
}

/** Options of {@link createWorkerPredictor}. */
export interface WorkerPredictorOptions {
  /**
   * Run on every fresh session before it takes requests (at start and after each restart), e.g. the golden sets;
   * a rejection fails the start, or keeps a restarted thread out of service and retries.
   */
  verify?: (predictor: BatchPredictor) => Promise<void>;
  /** What the log lines call this session, e.g. its model directory. */
  label?: string;
  log?: (line: string) => void;
  /** Called when the thread dies (false) and when its replacement serves (true), e.g. for a state metric. */
  onHealth?(alive: boolean): void;
  /** First wait before a restart in ms, doubled per failed try up to 30 s (default 200). */
  restartDelayMs?: number;
}

/** The thread's health, for readiness and tests. */
export interface WorkerHealth {
  /** False from the thread's death until its replacement has started and passed `verify`. */
  alive(): boolean;
  /** Threads started after the first one. */
  restarts(): number;
  /** Model calls sent and not answered yet. */
  pending(): number;
  /** End the thread as a crash would (the supervisor restarts it): for tests and failure drills. */
  kill(): Promise<void>;
}

interface Thread {
  worker: Worker;
  predict(input: RawBatch): Promise<Float32Array>;
  release(): Promise<void>;
  pending(): number;
}

/** Start one worker; resolves once its session exists. `onDeath` is called once if it later dies. */
async function startThread(
  data: OrtWorkerData,
  onDeath: (err: Error) => void,
): Promise<Thread & { provider: "cuda" | "cpu"; reason: string }> {
  const worker = new Worker(workerSource(), { eval: true, workerData: data });
  const pending = new Map<number, { resolve(y: Float32Array): void; reject(e: Error): void }>();
  let nextId = 0;
  let started = false;
  let released = false;
  let dead: Error | undefined;
  let onReleased: (() => void) | undefined;
  const die = (err: Error) => {
    if (dead) return;
    dead = err;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
    if (started && !released) onDeath(err);
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
      die(err);
      reject(err);
    });
    worker.on("exit", (code) => {
      const err = new Error(`inference worker exited (code ${code})`);
      die(err);
      reject(err);
    });
  });
  const info = await ready.catch(async (err: unknown) => {
    await worker.terminate();
    throw err;
  });
  started = true;
  return {
    ...info,
    worker,
    pending: () => pending.size,
    predict(input) {
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
      released = true;
      if (dead) return;
      await new Promise<void>((resolve) => {
        onReleased = resolve;
        worker.postMessage({ type: "release" } satisfies ToWorker);
      });
      dead = new Error("the model session was released");
      await worker.terminate();
    },
  };
}

/**
 * Start a supervised worker holding one session on the provider `choice` allows (see `createProviderSession`);
 * resolves once the session exists and passed `verify`. When the thread dies, the calls it held fail with 503
 * `model_not_ready`, `health.alive()` turns false (readiness 503) and a new thread is started and verified.
 * `predict` copies its inputs to the worker and gets the output back without a copy.
 * @throws {Error} when the first session cannot be created (e.g. `--provider cuda` without CUDA) or fails `verify`
 * @example const { predictor, provider, health } = await createWorkerPredictor(modelBytes, "auto", {}, { verify });
 */
export async function createWorkerPredictor(
  modelBytes: Uint8Array,
  choice: ProviderChoice,
  sessionOptions: ortCommon.InferenceSession.SessionOptions = {},
  opts: WorkerPredictorOptions = {},
): Promise<ProviderSession & { health: WorkerHealth }> {
  const data: OrtWorkerData = { modelBytes, choice, sessionOptions };
  const log = opts.log ?? (() => {});
  const label = opts.label ?? "model";
  let thread: Thread | undefined;
  let alive = false;
  let released = false;
  let restarts = 0;

  const open = async () => {
    const t = await startThread(data, (err) => {
      if (released || thread !== t) return;
      alive = false;
      opts.onHealth?.(false);
      log(`${label}: ${err.message}; restarting the inference thread`);
      void restart();
    });
    try {
      await opts.verify?.({ predict: (x) => t.predict(x) });
    } catch (err) {
      await t.release();
      throw err;
    }
    return t;
  };
  const restart = async () => {
    let wait = opts.restartDelayMs ?? 200;
    while (!released) {
      await new Promise((r) => setTimeout(r, wait));
      if (released) return;
      try {
        const t = await open();
        if (released) return void (await t.release());
        thread = t;
        restarts++;
        alive = true;
        opts.onHealth?.(true);
        log(`${label}: inference thread restarted (restart ${restarts})`);
        return;
      } catch (err) {
        log(`${label}: restart failed: ${err instanceof Error ? err.message : String(err)}; retrying`);
        wait = Math.min(30_000, wait * 2);
      }
    }
  };

  const first = await open();
  thread = first;
  alive = true;
  const notReady = (cause?: unknown) =>
    new HttpError(
      503,
      "model_not_ready",
      `the inference thread of ${label} stopped; it is being restarted`,
      "retry shortly",
      { headers: { "Retry-After": "1" }, cause },
    );

  return {
    provider: first.provider,
    reason: first.reason,
    health: {
      alive: () => alive,
      restarts: () => restarts,
      pending: () => (alive && thread ? thread.pending() : 0),
      async kill() {
        const t = thread;
        if (!t) return;
        await t.worker.terminate();
      },
    },
    predictor: {
      predict(input: RawBatch) {
        const t = thread;
        if (!alive || !t) return Promise.reject(notReady());
        return t.predict(input).catch((err: unknown) => {
          throw thread !== t || !alive ? notReady(err) : err;
        });
      },
      async release() {
        released = true;
        alive = false;
        await thread?.release();
        thread = undefined;
      },
    },
  };
}
