/** `npm run bench:serve`: throughput and latency of `soilco2 serve` over loopback (autocannon), against bare session.run. */
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import * as ort from "onnxruntime-node";
import { staticWidth } from "../core/model-schema.ts";
import { exportRun } from "../export/export-run.ts";
import { createOrtPredictor } from "../export/ort-predict.ts";
import { readModelDir } from "../export/read-model.ts";
import { findModelDirs } from "../serving/node/load-models.ts";
import { type RunningServer, startServer } from "../serving/node/server.ts";
import { writeSyntheticRun } from "../test/helpers/synthetic-run.ts";

/** Targets from the serving issue. */
export const TARGETS = { manySiteRatio: 0.5, batchingRatio: 2, p99Ms: 50 };

const DAYS = Number(process.env.BENCH_DAYS ?? 365);
const SITES = Number(process.env.BENCH_SITES ?? 100);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const SINGLE_CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
/** onnxruntime intra-op threads for the server and for bare session.run alike (0: onnxruntime's default). */
const THREADS = Number(process.env.BENCH_THREADS ?? 1);
/** Parts to run: a (many-site vs bare), b (micro-batching on vs off). */
const PARTS = (process.env.BENCH_PARTS ?? "a,b").split(",");
const MAX_INFLIGHT = Number(process.env.BENCH_MAX_INFLIGHT ?? 0) || undefined;
const MAX_BATCH = Number(process.env.BENCH_MAX_BATCH ?? 64);
const sessionOptions = THREADS > 0 ? { intraOpNumThreads: THREADS, interOpNumThreads: 1 } : {};

/** A valid site of `days` days with seasonal drivers and a few gaps. */
function site(days: number, k: number) {
  const s = (f: (d: number) => number) =>
    Array.from({ length: days }, (_, d) => ((d + k) % 17 === 5 ? null : Math.round(f(d) * 1000) / 1000));
  const w = (d: number) => Math.sin((2 * Math.PI * (d + 11 * k)) / 365);
  return {
    id: `site-${k}`,
    static: { latitude: 30 + (k % 30), elevation: 100 + 10 * k, mat: 8, map: 900, igbp: "DBF" },
    start: "2018-01-01",
    drivers: {
      tsoil_mean: s((d) => 10 + 8 * w(d)),
      tsoil_min: s((d) => 7 + 8 * w(d)),
      tsoil_max: s((d) => 13 + 8 * w(d)),
      swc_mean: s((d) => 0.3 + 0.1 * w(d)),
      tair_mean: s((d) => 11 + 10 * w(d)),
      precip_sum: s((d) => (d % 4 === 0 ? 5 : 0)),
    },
  };
}

async function modelRoot(tmp: string): Promise<{ dir: string; note: string }> {
  const repoModels = new URL("../models/", import.meta.url).pathname;
  if (await stat(repoModels).catch(() => undefined)) {
    const dirs = await findModelDirs(repoModels).catch(() => []);
    if (dirs.length > 0)
      return { dir: dirs[dirs.length - 1]!, note: `repository model ${dirs[dirs.length - 1]}` };
  }
  const runDir = join(tmp, "run");
  await writeSyntheticRun(runDir, { hidden: 64, seed: 3 });
  const dir = join(tmp, "model");
  await exportRun({ runDir, outDir: dir, version: "bench" });
  return { dir, note: "synthetic run, 64 hidden units" };
}

/** Bare session.run site-predictions/s for one batch size (raw tensors, no HTTP, no JSON). */
async function bareRate(modelDir: string, batch: number, seconds: number): Promise<number> {
  const m = await readModelDir(modelDir);
  const p = await createOrtPredictor(ort, m.modelBytes, sessionOptions);
  const Dd = m.schema.dynamic.length;
  const Ds = staticWidth(m.schema);
  const x = {
    dynamic: new Float32Array(batch * DAYS * Dd).map((_, i) => (i % Dd < 6 ? 0.2 + (i % 7) * 0.1 : 0.5)),
    static: new Float32Array(batch * Ds).fill(0).map((_, i) => (i % Ds < 4 ? 10 : 0)),
    batch,
    time: DAYS,
    dynamicCols: Dd,
    staticCols: Ds,
  };
  await p.predict(x);
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    await p.predict(x);
    n += batch;
  }
  const rate = n / ((performance.now() - t0) / 1000);
  await p.release();
  return rate;
}

async function load(url: string, body: string, connections: number, seconds: number) {
  const r = await autocannon({
    url: `${url}/v1/predict`,
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
    connections,
    duration: seconds,
    workers: 1,
  });
  const bad = r.non2xx + r.errors + r.timeouts;
  return {
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    total: r.requests.total,
    bad,
  };
}

async function withServer<T>(
  modelDir: string,
  batching: boolean,
  f: (s: RunningServer) => Promise<T>,
): Promise<T> {
  const server = await startServer({
    models: modelDir,
    port: 0,
    provider: "cpu",
    ...(THREADS > 0 ? { threads: THREADS } : {}),
    batching: {
      enabled: batching,
      maxBatch: MAX_BATCH,
      maxWaitMs: 2,
      ...(MAX_INFLIGHT ? { maxInflight: MAX_INFLIGHT } : {}),
    },
    limits: { maxBodyBytes: 64 * 1024 * 1024, timeoutMs: 60_000 },
    print: () => {},
  });
  try {
    return await f(server);
  } finally {
    await server.close();
  }
}

const fmt = (x: number, d = 0) => x.toFixed(d);
const tmp = await mkdtemp(join(tmpdir(), "soilco2-bench-serve-"));
try {
  const { dir, note } = await modelRoot(tmp);
  console.log(
    `model: ${note}; ${SITES} sites x ${DAYS} days; ${SECONDS} s per load; onnxruntime threads ${THREADS || "default"}; node ${process.version}`,
  );

  if (PARTS.includes("a")) {
    console.log("\n(a) many-site requests vs bare session.run");
    const bare: [number, number][] = [];
    for (const b of [1, 16, 64, 100, 128, 256]) {
      const rate = await bareRate(dir, b, Math.max(2, SECONDS / 4));
      bare.push([b, rate]);
      console.log(`  bare session.run batch ${String(b).padStart(3)}: ${fmt(rate)} site-predictions/s`);
    }
    const [bestBatch, bestBare] = bare.reduce((a, b) => (b[1] > a[1] ? b : a));
    const many = JSON.stringify({ sites: Array.from({ length: SITES }, (_, k) => site(DAYS, k)) });
    const a = await withServer(dir, true, (s) => load(s.url, many, 4, SECONDS));
    const aRate = a.rps * SITES;
    console.log(
      `  HTTP /v1/predict (${(many.length / 1e6).toFixed(2)} MB bodies, 4 connections): ${fmt(a.rps, 1)} req/s = ${fmt(aRate)} site-predictions/s, p50 ${a.p50} ms, p99 ${a.p99} ms, non-2xx/errors ${a.bad}`,
    );
    console.log(
      `  ratio HTTP / bare best (batch ${bestBatch}, ${fmt(bestBare)}/s): ${(aRate / bestBare).toFixed(2)} (target >= ${TARGETS.manySiteRatio})`,
    );
  }
  if (PARTS.includes("b")) {
    console.log(`\n(b) single-site ${DAYS}-day requests, ${SINGLE_CONNECTIONS} connections`);
    const one = JSON.stringify({ sites: [site(DAYS, 1)] });
    const on = await withServer(dir, true, (s) => load(s.url, one, SINGLE_CONNECTIONS, SECONDS));
    console.log(
      `  micro-batching on : ${fmt(on.rps)} req/s, p50 ${on.p50} ms, p99 ${on.p99} ms, non-2xx/errors ${on.bad}`,
    );
    const off = await withServer(dir, false, (s) => load(s.url, one, SINGLE_CONNECTIONS, SECONDS));
    console.log(
      `  micro-batching off: ${fmt(off.rps)} req/s, p50 ${off.p50} ms, p99 ${off.p99} ms, non-2xx/errors ${off.bad}`,
    );
    console.log(
      `  throughput ratio on/off: ${(on.rps / off.rps).toFixed(2)} (target >= ${TARGETS.batchingRatio}); p99 on ${on.p99} ms (target < ${TARGETS.p99Ms} ms)`,
    );
  }
} finally {
  await rm(tmp, { recursive: true, force: true });
}
