// bench:train — training throughput (supervised site-days per second) of the tfjs LSTM against the same LSTM in
// PyTorch (CPU) on the very same batches, measured in one run. Also times a full training epoch on the real data.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { buildArchitecture } from "../training/architecture.ts";
import { describeBackend, selectBackend } from "../training/backend.ts";
import { parseTrainConfig } from "../training/config.ts";
import { loadDailyDataset } from "../training/dataset.ts";
import { buildExperiment } from "../training/experiment.ts";
import { forward, initParams, paramList } from "../training/model.ts";
import { temporalSplit } from "../training/splits.ts";
import { maskedLoss } from "../training/train-loop.ts";
import { trainingBatch, trainingWindows } from "../training/windows.ts";

const data = process.env.SOILCO2_DAILY ?? "out/daily";
const python = process.env.TORCH_PYTHON ?? "/usr/bin/python3";
const REPEATS = Number(process.env.REPEATS ?? 2);

if (!existsSync(join(data, "daily.parquet"))) {
  console.error(
    `no daily dataset in ${data}: run \`node bin/soilco2.js ingest --cosore ../shared/data/cosore --out ${data}\` first`,
  );
  process.exit(1);
}
console.log(describeBackend(await selectBackend()));
const config = parseTrainConfig({ data: { dir: data } });
const { sites } = await loadDailyDataset(data, config.data.minFluxDays);
const labels = temporalSplit(sites, config.split.testFraction, config.split.valFraction);
const exp = buildExperiment(sites, labels, config);
const { train } = config;
const windows = trainingWindows(exp, train);
const nBatches = Math.min(4, Math.floor(windows.length / train.batchSize));
const batches = Array.from({ length: nBatches }, (_, b) =>
  trainingBatch(exp, windows.slice(b * train.batchSize, (b + 1) * train.batchSize), train.windowDays),
);
// The softplus head, as the PyTorch yardstick (bench/torch-lstm.py): the comparison is of the LSTM itself.
const arch = buildArchitecture({ ...config, model: { ...config.model, head: "softplus" } }, exp.normaliser);
console.log(
  `batches: ${nBatches} × [time ${train.windowDays}, batch ${train.batchSize}, input ${exp.width}], hidden ${arch.hidden}`,
);

// tfjs
const params = initParams(arch, 1);
const opt = tf.train.adam(1e-3);
const step = (b: (typeof batches)[number]) => {
  let n = 0;
  for (const w of b.w) if (w > 0) n++;
  const y = tf.tensor1d(b.y);
  const w = tf.tensor1d(b.w);
  const loss = opt.minimize(() => maskedLoss(forward(params, arch, b.x), y, w, n), true, paramList(params));
  loss?.dataSync();
  tf.dispose([y, w]);
  loss?.dispose();
  return n;
};
step(batches[0]!);
let days = 0;
const t0 = performance.now();
for (let r = 0; r < REPEATS; r++) for (const b of batches) days += step(b);
const tfjsSeconds = (performance.now() - t0) / 1000;
const tfjsRate = days / tfjsSeconds;
console.log(
  `tfjs (${tf.getBackend()}): ${tfjsRate.toFixed(0)} supervised site-days/s (${days} days in ${tfjsSeconds.toFixed(2)} s)`,
);

// PyTorch yardstick on the same batches
const dir = await mkdtemp(join(tmpdir(), "soilco2-bench-"));
try {
  const files = [];
  for (let i = 0; i < batches.length; i++) {
    const b = batches[i]!;
    const f = { x: join(dir, `x${i}.bin`), y: join(dir, `y${i}.bin`), w: join(dir, `w${i}.bin`) };
    await writeFile(f.x, new Uint8Array(b.x.data.buffer));
    await writeFile(f.y, new Uint8Array(b.y.buffer));
    await writeFile(f.w, new Uint8Array(b.w.buffer));
    files.push(f);
  }
  const spec = join(dir, "spec.json");
  await writeFile(
    spec,
    JSON.stringify({
      time: train.windowDays,
      batch: train.batchSize,
      input: exp.width,
      hidden: arch.hidden,
      threads: 2,
      repeats: REPEATS,
      batches: files,
    }),
  );
  const r = spawnSync(python, [join(import.meta.dirname, "torch-lstm.py"), spec], { encoding: "utf8" });
  if (r.status !== 0) {
    console.log(
      `PyTorch yardstick not run (${python}: ${(r.stderr || r.error?.message || "failed").trim().split("\n").pop()}); install Debian's python3-torch to compare`,
    );
  } else {
    const t = JSON.parse(r.stdout.trim().split("\n").pop()!);
    const torchRate = t.supervisedDays / t.seconds;
    console.log(
      `PyTorch ${t.torch} (CPU, ${t.threads} threads): ${torchRate.toFixed(0)} supervised site-days/s`,
    );
    console.log(`ratio tfjs / PyTorch: ${(tfjsRate / torchRate).toFixed(2)} (≥ 1 means at least as fast)`);
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
