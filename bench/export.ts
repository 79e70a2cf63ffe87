/** Time `soilco2 export` on a run (SOILCO2_RUN, or a synthetic run with 64 units) against the 5 s target, with the onnxruntime-node load as a yardstick. */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { exportRun } from "../export/export-run.ts";
import { readModelDir } from "../model/node/read-model.ts";
import { writeSyntheticRun } from "../training/synthetic-run.ts";

/** Target wall time of one export, seconds. */
export const EXPORT_TARGET_S = 5;

const root = await mkdtemp(join(tmpdir(), "soilco2-bench-export-"));
try {
  let runDir = process.env.SOILCO2_RUN;
  if (!runDir) {
    runDir = join(root, "run");
    await writeSyntheticRun(runDir, { hidden: 64, seed: 1 });
  }
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const r = await exportRun({ runDir, outDir: join(root, "model"), force: true });
    times.push(r.seconds);
    console.log(
      `export ${i + 1}/${rounds}: ${r.seconds.toFixed(3)} s (ort-node load inside export ${(r.ortLoadSeconds * 1000).toFixed(0)} ms, parity max abs ${r.parity.maxAbs.toExponential(2)})`,
    );
  }
  const { modelBytes } = await readModelDir(join(root, "model"));
  const t0 = performance.now();
  const session = await ort.InferenceSession.create(modelBytes, { graphOptimizationLevel: "all" });
  const loadS = (performance.now() - t0) / 1000;
  await session.release();
  const first = times[0]!;
  const best = Math.min(...times);
  console.log(
    `run: ${process.env.SOILCO2_RUN ?? "synthetic, 64 units"}; model.onnx ${modelBytes.byteLength} bytes`,
  );
  console.log(`export: first ${first.toFixed(3)} s (includes tfjs/ort start-up), best ${best.toFixed(3)} s`);
  console.log(
    `target ${EXPORT_TARGET_S} s: first at ${((first / EXPORT_TARGET_S) * 100).toFixed(1)}% of target, best at ${((best / EXPORT_TARGET_S) * 100).toFixed(1)}%`,
  );
  console.log(
    `yardstick: onnxruntime-node session load ${(loadS * 1000).toFixed(1)} ms; export = ${(best / loadS).toFixed(1)}x one load`,
  );
} finally {
  await rm(root, { recursive: true, force: true });
}
