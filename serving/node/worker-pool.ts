/** A model version's pool of supervised worker sessions: each call goes to the live session with the fewest calls pending. */
import type * as ortCommon from "onnxruntime-common";
import type { RawBatch } from "../../core/batch.ts";
import type { ProviderChoice, ProviderSession } from "./execution-provider.ts";
import { createWorkerPredictor, type WorkerHealth, type WorkerPredictorOptions } from "./worker-predictor.ts";

/** Health of a pool: alive only while every session is (a restarting one makes readiness 503). */
export interface PoolHealth extends Omit<WorkerHealth, "kill"> {
  /** Each session's health, in start order. */
  sessions: WorkerHealth[];
}

/**
 * Start `sessions` worker sessions of one model (each with `sessionOptions`, e.g. its intra-op threads).
 * @throws {Error} when a session cannot be created or fails `verify` (the others are released)
 * @example const pool = await createWorkerPool(bytes, "cpu", 2, { intraOpNumThreads: 1 }, { verify });
 */
export async function createWorkerPool(
  modelBytes: Uint8Array,
  choice: ProviderChoice,
  sessions: number,
  sessionOptions: ortCommon.InferenceSession.SessionOptions = {},
  opts: WorkerPredictorOptions = {},
): Promise<ProviderSession & { health: PoolHealth }> {
  const started: Awaited<ReturnType<typeof createWorkerPredictor>>[] = [];
  try {
    for (let i = 0; i < Math.max(1, sessions); i++)
      started.push(
        await createWorkerPredictor(modelBytes, choice, sessionOptions, {
          ...opts,
          label: sessions > 1 ? `${opts.label ?? "model"} (session ${i + 1})` : (opts.label ?? "model"),
        }),
      );
  } catch (err) {
    for (const s of started) await s.predictor.release();
    throw err;
  }
  const health = started.map((s) => s.health);
  return {
    provider: started[0]!.provider,
    reason: started[0]!.reason,
    health: {
      sessions: health,
      alive: () => health.every((h) => h.alive()),
      restarts: () => health.reduce((n, h) => n + h.restarts(), 0),
      pending: () => health.reduce((n, h) => n + h.pending(), 0),
    },
    predictor: {
      predict(input: RawBatch) {
        let best = 0;
        for (let i = 1; i < started.length; i++) {
          const h = health[i]!;
          const b = health[best]!;
          if (h.alive() && (!b.alive() || h.pending() < b.pending())) best = i;
        }
        return started[best]!.predictor.predict(input);
      },
      async release() {
        for (const s of started) await s.predictor.release();
      },
    },
  };
}
