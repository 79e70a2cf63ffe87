/** `npm run bench:soak [minutes]`: minutes (default 3) of mixed load on an in-process server; RSS and live heap every 10 s, and their drift. */
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { exportRun } from "../export/export-run.ts";
import { findModelDirs } from "../model/node/model-dirs.ts";
import { startServer } from "../serving/node/server.ts";
import { writeSyntheticRun } from "../training/synthetic-run.ts";

const MINUTES = Number(process.argv[2] ?? process.env.SOAK_MINUTES ?? 3);
const SAMPLE_S = Number(process.env.SOAK_SAMPLE_S ?? 10);
const AUTOCANNON = fileURLToPath(new URL("../node_modules/.bin/autocannon", import.meta.url));
const MB = 1024 * 1024;
setFlagsFromString("--expose-gc");
/** A full GC before each heap sample, so the series shows live memory, not GC timing. */
const gc = runInNewContext("gc") as () => void;

function site(days: number, k: number) {
  const s = (f: (d: number) => number) =>
    Array.from({ length: days }, (_, d) => ((d + k) % 13 === 0 ? null : Math.round(f(d) * 100) / 100));
  const w = (d: number) => Math.sin((2 * Math.PI * (d + 7 * k)) / 365);
  return {
    id: `s${k}`,
    static: { latitude: 45, elevation: 300, mat: 9, map: 800, igbp: "ENF" },
    start: "2017-03-01",
    drivers: {
      tsoil_mean: s((d) => 9 + 7 * w(d)),
      tsoil_min: s((d) => 6 + 7 * w(d)),
      tsoil_max: s((d) => 12 + 7 * w(d)),
      swc_mean: s((d) => 0.3 + 0.1 * w(d)),
      tair_mean: s((d) => 10 + 9 * w(d)),
      precip_sum: s((d) => (d % 3 === 0 ? 4 : 0)),
    },
  };
}

/** One autocannon process: `connections` connections posting `body` to `path` for `seconds`. */
function load(url: string, file: string, connections: number, seconds: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(
      AUTOCANNON,
      [
        "-c",
        String(connections),
        "-d",
        String(seconds),
        "-m",
        "POST",
        "-H",
        "content-type=application/json",
        "-i",
        file,
        "-j",
        url,
      ],
      {
        stdio: ["ignore", "pipe", "ignore"],
      },
    );
    let out = "";
    p.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    p.on("error", reject);
    p.on("exit", () => {
      try {
        const r = JSON.parse(out) as {
          requests: { total: number };
          non2xx: number;
          errors: number;
          latency: { p99: number };
        };
        resolve(
          `${r.requests.total} requests, non-2xx ${r.non2xx}, errors ${r.errors}, p99 ${r.latency.p99} ms`,
        );
      } catch {
        resolve(`no result (${out.slice(0, 200)})`);
      }
    });
  });
}

const tmp = await mkdtemp(join(tmpdir(), "soilco2-soak-"));
try {
  let modelRoot = fileURLToPath(new URL("../models/", import.meta.url));
  if ((await findModelDirs(modelRoot).catch(() => [])).length === 0) {
    await writeSyntheticRun(join(tmp, "run"), { hidden: 64, seed: 4 });
    modelRoot = join(tmp, "model");
    await exportRun({ runDir: join(tmp, "run"), outDir: modelRoot, version: "soak" });
  }
  const server = await startServer({ models: modelRoot, port: 0, provider: "cpu", print: () => {} });
  const files = {
    single: join(tmp, "single.json"),
    many: join(tmp, "many.json"),
    invalid: join(tmp, "invalid.json"),
  };
  await writeFile(files.single, JSON.stringify({ sites: [site(365, 1)] }));
  await writeFile(
    files.many,
    JSON.stringify({ sites: Array.from({ length: 50 }, (_, k) => site(200 + k, k)) }),
  );
  const bad = site(30, 2);
  bad.drivers.tsoil_mean[4] = 99;
  await writeFile(files.invalid, JSON.stringify({ sites: [bad] }));
  const seconds = Math.round(MINUTES * 60);
  console.log(
    `soak: ${MINUTES} min of mixed load on ${server.url} (model ${modelRoot}); sampling every ${SAMPLE_S} s`,
  );
  const loads = Promise.all([
    load(`${server.url}/v1/predict`, files.single, 16, seconds),
    load(`${server.url}/v1/predict`, files.many, 2, seconds),
    load(`${server.url}/v1/predict`, files.invalid, 2, seconds),
  ]);
  const samples: { t: number; rss: number; heap: number; external: number }[] = [];
  const t0 = performance.now();
  const sample = () => {
    gc();
    const m = process.memoryUsage();
    const s = {
      t: (performance.now() - t0) / 1000,
      rss: m.rss / MB,
      heap: m.heapUsed / MB,
      external: m.external / MB,
    };
    samples.push(s);
    console.log(
      `  t=${s.t.toFixed(0).padStart(4)} s  rss ${s.rss.toFixed(1).padStart(7)} MB  heap after GC ${s.heap.toFixed(1).padStart(6)} MB  external ${s.external.toFixed(1).padStart(6)} MB`,
    );
  };
  sample();
  const timer = setInterval(sample, SAMPLE_S * 1000);
  const results = await loads;
  clearInterval(timer);
  sample();
  console.log(`  single-site: ${results[0]}\n  50-site: ${results[1]}\n  invalid (400s): ${results[2]}`);
  // Drift: after the first minute (warm-up: JIT, pools, allocator), least-squares slope and last minus first.
  const warm = samples.filter((s) => s.t >= Math.min(60, seconds / 3));
  const slope = (key: "rss" | "heap") => {
    const n = warm.length;
    if (n < 2) return 0;
    const mt = warm.reduce((a, s) => a + s.t, 0) / n;
    const mv = warm.reduce((a, s) => a + s[key], 0) / n;
    const num = warm.reduce((a, s) => a + (s.t - mt) * (s[key] - mv), 0);
    const den = warm.reduce((a, s) => a + (s.t - mt) ** 2, 0);
    return den > 0 ? (num / den) * 60 : 0;
  };
  const first = warm[0]!;
  const last = warm[warm.length - 1]!;
  console.log(
    `drift after warm-up (t >= ${first.t.toFixed(0)} s): rss ${(last.rss - first.rss).toFixed(1)} MB (${slope("rss").toFixed(2)} MB/min), heap ${(last.heap - first.heap).toFixed(1)} MB (${slope("heap").toFixed(2)} MB/min)`,
  );
  await server.close();
} finally {
  await rm(tmp, { recursive: true, force: true });
}
