// bench:train — training throughput (supervised site-days per second) of the tfjs LSTM, as shipped (fused kernel,
// train.workers threads) and its predecessors (tfjs ops, one thread; tfjs automatic differentiation), against the
// same LSTM in optimised PyTorch builds on the very same batches: every arm timed for SECONDS per round, ROUNDS
// rounds, interleaved; ratios are taken within a round and their median and range printed.

import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { headOf } from "../heads/registry.ts";
import { buildArchitecture } from "../training/architecture.ts";
import { type BackendName, describeBackend, selectBackend } from "../training/backend.ts";
import { parseTrainConfig } from "../training/config.ts";
import { loadDailyDataset } from "../training/dataset.ts";
import { buildExperiment } from "../training/experiment.ts";
import { maskedLoss } from "../training/loss.ts";
import { lstmSequenceReference } from "../training/lstm.ts";
import { initParams, paramList } from "../training/model.ts";
import { createGradPool } from "../training/parallel/data-parallel.ts";
import { temporalSplit } from "../training/splits.ts";
import { trainingBatch, trainingWindows } from "../training/windows.ts";
import {
  describeTorch,
  isReferenceBlas,
  startYardstick,
  wheelPython,
  type Yardstick,
} from "./torch-yardstick.ts";

const data = process.env.SOILCO2_DAILY ?? "out/daily";
const SECONDS = Number(process.env.SECONDS_PER_ARM ?? 3);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const DEBIAN_PYTHON = process.env.TORCH_PYTHON ?? "/usr/bin/python3";

if (!existsSync(join(data, "daily.parquet"))) {
  console.error(
    `no daily dataset in ${data}: run \`node bin/soilco2.js ingest --cosore ../shared/data/cosore --out ${data}\` first`,
  );
  process.exit(1);
}
console.log(describeBackend(await selectBackend()));
const backend = tf.getBackend() as BackendName;
const config = parseTrainConfig({ data: { dir: data } });
const { sites } = await loadDailyDataset(data, config.data.minFluxDays);
const exp = buildExperiment(
  sites,
  temporalSplit(sites, config.split.testFraction, config.split.valFraction),
  config,
);
const { train } = config;
const windows = trainingWindows(exp, train);
const nBatches = Math.min(4, Math.floor(windows.length / train.batchSize));
const batches = Array.from({ length: nBatches }, (_, b) =>
  trainingBatch(exp, windows.slice(b * train.batchSize, (b + 1) * train.batchSize), train.windowDays),
);
const daysOf = (w: Float32Array) => w.reduce((n, v) => n + (v > 0 ? 1 : 0), 0);
// The shipped head and no dropout. The PyTorch yardstick (bench/torch-lstm.py) has a softplus head instead: either is
// one elementwise op per day next to the LSTM's matMuls, so the comparison is of the LSTM.
const arch = buildArchitecture(config, exp.normaliser);
console.log(
  `batches: ${nBatches} × [time ${train.windowDays}, batch ${train.batchSize}, input ${exp.width}], hidden ${arch.hidden}; ` +
    `${SECONDS} s per arm, ${ROUNDS} rounds, interleaved`,
);

/** Wall seconds, CPU seconds of the whole process (all its threads) and supervised days of a timed stretch. */
type Timed = { seconds: number; cpuSeconds: number; supervisedDays: number };
interface Arm {
  name: string;
  run(seconds: number): Promise<Timed>;
}

/** Steps over the batches in turn until `seconds` have passed (at least one step). */
async function timeSteps(seconds: number, step: (b: number) => Promise<void> | void): Promise<Timed> {
  let supervisedDays = 0;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for (let k = 0; k === 0 || performance.now() - t0 < seconds * 1000; k++) {
    await step(k % nBatches);
    supervisedDays += daysOf(batches[k % nBatches]!.w);
  }
  const c = process.cpuUsage(c0);
  return { seconds: (performance.now() - t0) / 1000, cpuSeconds: (c.user + c.system) / 1e6, supervisedDays };
}

const params = initParams(arch, 1);
const opt = tf.train.adam(1e-3);
const shipped = await createGradPool(arch, train.workers, backend);
const single = await createGradPool(arch, 1, backend);
const pooled = (pool: typeof shipped, kernel: "on" | "off") => async (b: number) => {
  process.env.SOILCO2_LSTM_KERNEL = kernel;
  const { grads } = await pool.step(params, batches[b]!, 0, 0);
  opt.applyGradients(Object.entries(grads).map(([name, tensor]) => ({ name, tensor })));
  tf.dispose(Object.values(grads));
  process.env.SOILCO2_LSTM_KERNEL = "on";
};
// tfjs automatic differentiation of the unrolled LSTM (training/lstm.ts lstmSequenceReference), same head and loss.
const batchMajor = batches.map((b) =>
  tf.tidy(() => tf.transpose(tf.tensor3d(b.x.data, [train.windowDays, b.x.batch, exp.width]), [1, 0, 2])),
);
const autodiff = (b: number) => {
  const { x, y, w } = batches[b]!;
  const head = headOf(arch);
  const prior = head.term(arch, x);
  tf.tidy(() => {
    const loss = () =>
      maskedLoss(
        head.apply(params, lstmSequenceReference(batchMajor[b] as tf.Tensor3D, params.lstm), prior),
        tf.tensor1d(y),
        tf.tensor1d(w),
        daysOf(w),
      );
    opt.minimize(loss, false, paramList(params));
  });
};
const arms: Arm[] = [
  {
    name: `tfjs shipped (fused kernel, ${train.workers} threads)`,
    run: (s) => timeSteps(s, pooled(shipped, "on")),
  },
  { name: "tfjs fused kernel, 1 thread", run: (s) => timeSteps(s, pooled(single, "on")) },
  {
    name: "tfjs ops, hand-written backward, 1 thread (before)",
    run: (s) => timeSteps(s, pooled(single, "off")),
  },
  { name: "tfjs automatic differentiation, 1 thread", run: (s) => timeSteps(s, autodiff) },
];

// PyTorch on the same batches.
const dir = await mkdtemp(join(tmpdir(), "soilco2-bench-"));
const yardsticks: Yardstick[] = [];
try {
  const files = [];
  for (const [i, b] of batches.entries()) {
    const f = { x: join(dir, `x${i}.bin`), y: join(dir, `y${i}.bin`), w: join(dir, `w${i}.bin`) };
    await writeFile(f.x, new Uint8Array(b.x.data.buffer));
    await writeFile(f.y, new Uint8Array(b.y.buffer));
    await writeFile(f.w, new Uint8Array(b.w.buffer));
    files.push(f);
  }
  const spec = join(dir, "spec.json");
  const s = {
    time: train.windowDays,
    batch: train.batchSize,
    input: exp.width,
    hidden: arch.hidden,
    threads: 2,
  };
  await writeFile(spec, JSON.stringify({ ...s, batches: files }));
  const wheel = wheelPython((l) => console.log(l));
  for (const python of [wheel, DEBIAN_PYTHON]) {
    if (!python.startsWith("/")) {
      console.log(`PyTorch wheel not run: ${python}`);
      continue;
    }
    try {
      const y = await startYardstick(python, spec);
      console.log(describeTorch(y));
      if (isReferenceBlas(y.info)) {
        console.log(
          `  skipped: reference BLAS is no yardstick; \`apt-get install libopenblas0-pthread\` switches libblas.so.3 to OpenBLAS`,
        );
        y.close();
        continue;
      }
      yardsticks.push(y);
      const v = y.info.torch;
      arms.push({
        name: `PyTorch ${v}, BLAS (${y.info.blasInfo === "mkl" ? "MKL" : "OpenBLAS"}), oneDNN off`,
        run: (t) => y.time("blas", t),
      });
      if (y.info.onednn && !v.startsWith("1."))
        arms.push({ name: `PyTorch ${v}, oneDNN fused LSTM`, run: (t) => y.time("onednn", t) });
    } catch (err) {
      console.log(`PyTorch under ${python} not run: ${(err as Error).message}`);
    }
  }
  if (yardsticks.length === 0)
    console.log(
      "no PyTorch yardstick ran: put the CPU torch wheel (cp311) in /opt/wheels (the bench makes .bench/torch-venv), or `apt-get install python3-torch libopenblas0-pthread`; tfjs figures only",
    );

  const rates: number[][] = arms.map(() => []);
  const cpuRates: number[][] = arms.map(() => []);
  for (let r = 0; r < ROUNDS; r++)
    for (const [i, arm] of arms.entries()) {
      const t = await arm.run(SECONDS);
      rates[i]!.push(t.supervisedDays / t.seconds);
      cpuRates[i]!.push(t.supervisedDays / t.cpuSeconds);
    }
  const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
  const fmt = (a: number[]) =>
    `${median(a).toFixed(0)} (${Math.min(...a).toFixed(0)}-${Math.max(...a).toFixed(0)})`;
  console.log(
    `\nload average at the end: ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores (a loaded machine favours the arm that needs fewer free cores)`,
  );
  console.log(
    "supervised site-days/s, median (range) over rounds; ratio = shipped tfjs / arm, within each round;",
  );
  console.log(
    "per CPU-s: the same days over the process's CPU time (all its threads), less sensitive to load",
  );
  const range = (a: number[]) =>
    `${median(a).toFixed(2)} (${Math.min(...a).toFixed(2)}-${Math.max(...a).toFixed(2)})`;
  for (const [i, arm] of arms.entries()) {
    const ratios = rates[0]!.map((v, r) => v / rates[i]![r]!);
    console.log(
      `  ${arm.name.padEnd(52)} ${fmt(rates[i]!).padEnd(22)} ratio ${range(ratios).padEnd(17)} per CPU-s ${median(cpuRates[i]!).toFixed(0)}`,
    );
  }
} finally {
  for (const y of yardsticks) y.close();
  await Promise.all([shipped.close(), single.close()]);
  await rm(dir, { recursive: true, force: true });
}
