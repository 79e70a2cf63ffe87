/**
 * `npm run bench:serve`: `soilco2 serve` with its shipped defaults over loopback (autocannon), batching on against
 * off, interleaved in rounds, and against the best bare session.run on the same cores, measured in the same run.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { defaultModelDir } from "../model/node/model-dirs.ts";
import { readModelDir } from "../model/node/read-model.ts";
import { DEFAULT_BATCHING } from "../serving/app.ts";
import { DEFAULT_POOL } from "../serving/node/load-models.ts";
import { type RunningServer, startServer } from "../serving/node/server.ts";
import { procCpuSeconds } from "./proc-cpu.ts";
import { barePredictor } from "./serve-bare.ts";
import { loadBinary, writeBinaryBody } from "./serve-binary.ts";

/** Targets from issue 14. */
export const TARGETS = { oneConnRatio: 0.95, oneConnP50Ms: 0.5, manyConnRatio: 1.5, httpToBare: 0.8 };

const DAYS = Number(process.env.BENCH_DAYS ?? 365);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
const MANY = Number(process.env.BENCH_CONNECTIONS ?? 64);
/** Pools (sessions x intra-op threads) to try besides the shipped one, e.g. `1x2,2x1` (default none). */
const POOLS = (process.env.BENCH_POOLS ?? "")
  .split(",")
  .filter(Boolean)
  .map((p) => p.split("x").map(Number) as [number, number]);
const BARE_BATCHES = (process.env.BENCH_BARE_BATCHES ?? "1,8,16,32").split(",").map(Number);
const SHIPPED: [number, number] = [DEFAULT_POOL.sessions, DEFAULT_POOL.threads];

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

interface Load {
  requests: number;
  seconds: number;
  p50: number[];
  p99: number[];
  bad: number;
  /** CPU time of this process's main thread (the servers' HTTP, JSON and batching work), ms. */
  mainCpuMs: number;
}
const emptyLoad = (): Load => ({ requests: 0, seconds: 0, p50: [], p99: [], bad: 0, mainCpuMs: 0 });

/**
 * CPU time of the main thread so far, ms (Linux: utime + stime of /proc/self/task/<pid>/stat, in clock ticks of
 * 10 ms), or NaN elsewhere. The servers run on this thread; the load generator and the sessions run on others.
 */
function mainThreadCpuMs(): number {
  return procCpuSeconds(`/proc/self/task/${process.pid}/stat`) * 1000;
}

async function load(into: Load, url: string, body: string, connections: number): Promise<void> {
  const cpu0 = mainThreadCpuMs();
  const r = await autocannon({
    url: `${url}/v1/predict`,
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
    connections,
    duration: SECONDS,
    workers: 1,
  });
  into.requests += r.requests.total;
  into.seconds += r.duration;
  into.p50.push(r.latency.p50);
  into.p99.push(r.latency.p99);
  into.bad += r.non2xx + r.errors + r.timeouts;
  into.mainCpuMs += mainThreadCpuMs() - cpu0;
}

/** The v2 binary arm: the same site as binary tensors to `/v2/models/<name>/infer`, efflux answered as bytes. */
async function loadV2Binary(into: Load, url: string, connections: number): Promise<void> {
  const cpu0 = mainThreadCpuMs();
  const r = await loadBinary(
    `${url}/v2/models/${model.manifest.name}/infer`,
    binaryBody,
    connections,
    SECONDS,
  );
  into.requests += r.total;
  into.seconds += r.duration;
  into.p50.push(r.p50);
  into.p99.push(r.p99);
  into.bad += r.bad;
  into.mainCpuMs += mainThreadCpuMs() - cpu0;
}

const agent = new Agent({ keepAlive: true, maxSockets: 1 });

/** One connection, closed loop, latency per request in µs resolution (autocannon's percentiles are whole ms). */
async function loadOne(into: Load, url: string, body: string, seconds = SECONDS): Promise<void> {
  const { hostname, port } = new URL(url);
  const once = () =>
    new Promise<number>((resolve, reject) => {
      const t0 = performance.now();
      const req = request(
        {
          agent,
          hostname,
          port,
          path: "/v1/predict",
          method: "POST",
          headers: { "content-type": "application/json" },
        },
        (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode === 200 ? performance.now() - t0 : -1));
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  const lat: number[] = [];
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    const ms = await once();
    if (ms < 0) into.bad++;
    else lat.push(ms);
  }
  into.requests += lat.length;
  into.seconds += (performance.now() - t0) / 1000;
  lat.sort((a, b) => a - b);
  into.p50.push(lat[Math.floor(lat.length * 0.5)] ?? Number.NaN);
  into.p99.push(lat[Math.floor(lat.length * 0.99)] ?? Number.NaN);
}

/** A server with the shipped defaults except the pool and batching on or off. */
function server(modelDir: string, batching: boolean, pool: [number, number]): Promise<RunningServer> {
  return startServer({
    models: modelDir,
    port: 0,
    provider: "cpu",
    sessions: pool[0],
    threads: pool[1],
    batching: { enabled: batching },
    print: () => {},
  });
}

const fmt = (x: number, d = 0) => x.toFixed(d);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rate = (l: Load) => l.requests / l.seconds;
const describe = (l: Load, d: number) =>
  `${fmt(rate(l), 1)} req/s, p50 ${fmt(median(l.p50), d)} ms, p99 ${fmt(median(l.p99), d)} ms (median of ${l.p50.length} rounds), non-2xx/errors ${l.bad}`;

const dir = await defaultModelDir(new URL("../models/", import.meta.url).pathname);
const pools = [SHIPPED, ...POOLS.filter((p) => p.join("x") !== SHIPPED.join("x"))];
console.log(
  `model: ${dir} (the default model); single-site ${DAYS}-day requests; ${ROUNDS} rounds x ${SECONDS} s per ` +
    `setting, interleaved (ABBA), bare session.run as one more arm; shipped defaults: pool ${SHIPPED.join("x")} (sessions x intra-op threads), ` +
    `batching ${JSON.stringify(DEFAULT_BATCHING)}; node ${process.version}; the machine is shared: compare ratios`,
);

const body = JSON.stringify({ sites: [site(DAYS, 1)] });
const model = await readModelDir(dir);
const scratch = mkdtempSync(join(tmpdir(), "soilco2-bench-serve-"));
process.once("exit", () => rmSync(scratch, { recursive: true, force: true }));
const binaryBody = writeBinaryBody(site(DAYS, 1), model, scratch);
interface Arm {
  pool: [number, number];
  bare: Awaited<ReturnType<typeof barePredictor>>;
  bestBatch: number;
  sweep: [number, number][];
  on: RunningServer;
  off: RunningServer;
  res: { on1: Load; off1: Load; onN: Load; offN: Load; binN: Load };
  bareRates: number[];
}
const all: Arm[] = [];
for (const pool of pools) {
  const bare = await barePredictor(dir, pool, DAYS);
  const sweep: [number, number][] = [];
  for (const b of BARE_BATCHES) sweep.push([b, await bare.rate(b, 1)]);
  const [bestBatch] = sweep.reduce((a, b) => (b[1] > a[1] ? b : a));
  const [on, off] = [await server(dir, true, pool), await server(dir, false, pool)];
  const res = { on1: emptyLoad(), off1: emptyLoad(), onN: emptyLoad(), offN: emptyLoad(), binN: emptyLoad() };
  all.push({ pool, bare, bestBatch, sweep, on, off, res, bareRates: [] });
}
// Warm-up: the first requests compile the body schema and JIT the parsers.
for (const a of all) for (const srv of [a.on, a.off]) await loadOne(emptyLoad(), srv.url, body, 0.5);
for (const a of all) await loadV2Binary(emptyLoad(), a.on.url, 1);
const steps = all.flatMap((a): (() => Promise<unknown>)[] => [
  () => loadOne(a.res.on1, a.on.url, body),
  () => loadOne(a.res.off1, a.off.url, body),
  () => load(a.res.onN, a.on.url, body, MANY),
  () => load(a.res.offN, a.off.url, body, MANY),
  () => loadV2Binary(a.res.binN, a.on.url, MANY),
  async () => a.bareRates.push(await a.bare.rate(a.bestBatch, SECONDS)),
]);
for (let round = 0; round < ROUNDS; round++)
  for (const step of round % 2 === 0 ? steps : [...steps].reverse()) await step();
for (const a of all) await Promise.all([a.on.close(), a.off.close(), a.bare.release()]);

for (const { pool, sweep, bestBatch, bareRates, res, bare } of all) {
  const tag = pool === SHIPPED ? "shipped" : "candidate";
  console.log(`\npool ${pool.join("x")} (${tag}; sessions x intra-op threads)`);
  console.log(
    `  bare session.run on ${bare.days}-day series (the requests' ${DAYS} days + spin-up), sweep (1 s each), site-predictions/s: ${sweep.map(([b, r]) => `batch ${b} ${fmt(r)}`).join(", ")}`,
  );
  const bareBest = bareRates.reduce((a, b) => a + b, 0) / bareRates.length;
  console.log(`  bare session.run batch ${bestBatch} (interleaved): ${fmt(bareBest)} site-predictions/s`);
  console.log(`  HTTP 1 connection,  batching on : ${describe(res.on1, 2)}`);
  console.log(`  HTTP 1 connection,  batching off: ${describe(res.off1, 2)}`);
  console.log(
    `  HTTP ${MANY} connections, batching on : ${describe(res.onN, 0)}; main thread ${fmt(res.onN.mainCpuMs / res.onN.requests, 2)} ms CPU per request`,
  );
  console.log(`  HTTP ${MANY} connections, batching off: ${describe(res.offN, 0)}`);
  console.log(
    `  HTTP ${MANY} connections, batching on, v2 binary tensors (Triton's HTTP client): ${describe(res.binN, 0)}; main thread ${fmt(res.binN.mainCpuMs / res.binN.requests, 2)} ms CPU per request`,
  );
  const one = rate(res.on1) / rate(res.off1);
  const dp50 = median(res.on1.p50) - median(res.off1.p50);
  const many = rate(res.onN) / rate(res.offN);
  const toBare = rate(res.onN) / bareBest;
  const binToBare = rate(res.binN) / bareBest;
  const mark = (ok: boolean) => (ok ? "met" : "NOT met");
  console.log(
    `  1 connection on/off: ${one.toFixed(2)} (target >= ${TARGETS.oneConnRatio}: ${mark(one >= TARGETS.oneConnRatio)}); ` +
      `p50 on - off ${dp50.toFixed(2)} ms (target <= ${TARGETS.oneConnP50Ms}: ${mark(Math.abs(dp50) <= TARGETS.oneConnP50Ms)})`,
  );
  console.log(
    `  ${MANY} connections on/off: ${many.toFixed(2)} (target >= ${TARGETS.manyConnRatio}: ${mark(many >= TARGETS.manyConnRatio)}); ` +
      `HTTP on / bare: ${toBare.toFixed(2)} (target >= ${TARGETS.httpToBare}: ${mark(toBare >= TARGETS.httpToBare)}); ` +
      `p99 on ${fmt(median(res.onN.p99), 1)} ms`,
  );
  console.log(
    `  ${MANY} connections v2 binary / bare: ${binToBare.toFixed(2)} (target >= ${TARGETS.httpToBare}: ${mark(binToBare >= TARGETS.httpToBare)}); p99 ${fmt(median(res.binN.p99), 1)} ms`,
  );
}
if (all.length > 1) {
  // the strict reading of "the best bare session.run on the same cores": the best of every pool measured
  const bareOf = (a: Arm) => a.bareRates.reduce((x, y) => x + y, 0) / a.bareRates.length;
  const bestBare = all.reduce((a, b) => (bareOf(b) > bareOf(a) ? b : a));
  for (const [what, of] of [
    ["JSON /v1/predict", (a: Arm) => a.res.onN],
    ["v2 binary tensors", (a: Arm) => a.res.binN],
  ] as const) {
    const bestHttp = all.reduce((a, b) => (rate(of(b)) > rate(of(a)) ? b : a));
    console.log(
      `${what === "JSON /v1/predict" ? "\n" : ""}over all pools: best HTTP ${what} (${MANY} connections, batching on) ${fmt(rate(of(bestHttp)), 1)} req/s (pool ${bestHttp.pool.join("x")}) / ` +
        `best bare ${fmt(bareOf(bestBare))} site-predictions/s (pool ${bestBare.pool.join("x")}) = ${(rate(of(bestHttp)) / bareOf(bestBare)).toFixed(2)}`,
    );
  }
}
agent.destroy();
