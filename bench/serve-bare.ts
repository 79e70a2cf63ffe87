/** bench:serve's yardstick: bare session.run of a pool (sessions x intra-op threads) on raw tensors, no HTTP and no JSON. */
import * as ort from "onnxruntime-node";
import { staticWidth } from "../core/model-schema.ts";
import { spinUpDaysFor } from "../core/predict-site.ts";
import { readModelDir } from "../model/node/read-model.ts";
import { createOrtPredictor } from "../model/ort-predict.ts";
import { sessionOptionsFor } from "../serving/node/load-models.ts";
import { createWorkerPool } from "../serving/node/worker-pool.ts";

/**
 * A bare predictor of a pool on raw tensors (no HTTP, no JSON): one session on this thread, several on workers. Its
 * series are as long as those the server runs for the benchmark's requests: their days plus the default spin-up
 * (`spinUpDaysFor`, the model's warm-up days), so both arms do the same model work per site; its sessions get the
 * server's session options.
 */
export async function barePredictor(modelDir: string, [sessions, threads]: [number, number], days: number) {
  const m = await readModelDir(modelDir);
  const T = days + spinUpDaysFor({}, m.schema);
  const opts = sessionOptionsFor(threads);
  const Dd = m.schema.dynamic.length;
  const Ds = staticWidth(m.schema);
  const p =
    sessions === 1
      ? await createOrtPredictor(ort, m.modelBytes, opts)
      : (await createWorkerPool(m.modelBytes, "cpu", sessions, opts)).predictor;
  /** Site-predictions/s at `batch` over `seconds`, one loop per session, all at once. */
  const rate = async (batch: number, seconds: number) => {
    const x = {
      dynamic: new Float32Array(batch * T * Dd).map((_, i) => (i % Dd < 6 ? 0.2 + (i % 7) * 0.1 : 0.5)),
      static: new Float32Array(batch * Ds).map((_, i) => (i % Ds < 4 ? 10 : 0)),
      batch,
      time: T,
      dynamicCols: Dd,
      staticCols: Ds,
    };
    await p.predict(x);
    let n = 0;
    const until = performance.now() + seconds * 1000;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: sessions }, async () => {
        while (performance.now() < until) {
          await p.predict(x);
          n += batch;
        }
      }),
    );
    return n / ((performance.now() - t0) / 1000);
  };
  return { rate, days: T, release: () => p.release() };
}
