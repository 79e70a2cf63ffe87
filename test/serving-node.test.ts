// The Node runtime: the shared parity cases through the HTTP API (in-process and over a real socket), predictions
// over HTTP equal to onnxruntime-node's own output, model discovery, provider choice, graceful shutdown, the CLI.
import { request } from "node:http";
import { join } from "node:path";
import * as ortNode from "onnxruntime-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildProgram } from "../cli/main.ts";
import { parseRate, parseSize, serveOptions } from "../cli/serve.ts";
import type { RawBatch } from "../core/batch.ts";
import { stackSites } from "../core/batch.ts";
import { ArtefactError } from "../core/errors.ts";
import { staticWidth } from "../core/model-schema.ts";
import { encodeSite } from "../core/request.ts";
import { findModelDirs } from "../model/node/model-dirs.ts";
import { readModelDir } from "../model/node/read-model.ts";
import { createOrtPredictor, type OrtPredictor } from "../model/ort-predict.ts";
import { createProviderSession, type NodeOrt } from "../serving/node/execution-provider.ts";
import { loadModels, sessionOptionsFor } from "../serving/node/load-models.ts";
import { type RunningServer, startServer } from "../serving/node/server.ts";
import { assertParity, loadParityCases, runParityCases } from "./helpers/parity-case.ts";
import { demoSite, makeApp, makeModelRoot, postJson } from "./serving-fixture.ts";

const fx = await makeModelRoot({ hidden: 16, seed: 9, versions: ["2.0.0"] });
const modelDir = fx.modelDirs[0]!;
const cases = await loadParityCases({ modelDir, runDir: fx.runDir });
const inproc = await makeApp(fx.modelsDir);
let server: RunningServer;
let direct: OrtPredictor;
beforeAll(async () => {
  server = await startServer({ models: fx.modelsDir, port: 0, provider: "cpu", threads: 1, print: () => {} });
  direct = await createOrtPredictor(ortNode, (await readModelDir(modelDir)).modelBytes);
});
afterAll(async () => {
  await server?.close();
  await direct?.release();
  await inproc.models.release();
  await fx.cleanup();
});

/** A raw batch as a KServe v2 request (NaN as null). */
function inferBody(x: RawBatch) {
  const data = (a: Float32Array) => Array.from(a, (v) => (Number.isNaN(v) ? null : v));
  return {
    inputs: [
      { name: "dynamic", shape: [x.batch, x.time, x.dynamicCols], datatype: "FP32", data: data(x.dynamic) },
      { name: "static", shape: [x.batch, x.staticCols], datatype: "FP32", data: data(x.static) },
    ],
  };
}

async function outputOf(res: Response): Promise<Float32Array> {
  const body = (await res.json()) as { outputs?: { data: number[] }[]; error?: unknown };
  if (!body.outputs) throw new Error(`infer failed: ${res.status} ${JSON.stringify(body.error)}`);
  return Float32Array.from(body.outputs[0]!.data);
}

runParityCases(
  "serving /v2 infer, in-process app.request",
  async (x) => outputOf(await postJson(inproc.app, "/v2/models/soilco2-lstm/infer", inferBody(x))),
  cases,
);
runParityCases(
  "serving /v2 infer over HTTP (@hono/node-server)",
  async (x) =>
    outputOf(
      await fetch(`${server.url}/v2/models/soilco2-lstm/versions/2.0.0/infer`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(inferBody(x)),
      }),
    ),
  cases,
);

describe("real HTTP round trip", () => {
  it("serves health, metadata and /v1/predict over a socket, equal to onnxruntime-node's direct output", async () => {
    expect(await (await fetch(`${server.url}/v2/health/ready`)).json()).toEqual({ ready: true });
    const meta = (await (await fetch(`${server.url}/v2/models/soilco2-lstm`)).json()) as {
      parameters: { execution_provider: string };
    };
    expect(meta.parameters.execution_provider).toBe("cpu");
    // cold starts (spin_up none), to compare with the model run on exactly the requested days
    const sites = [demoSite(120, { gapEvery: 9 }), demoSite(365), demoSite(7, { start: "2016-02-26" })].map(
      (s) => ({ ...s, spin_up: "none" as const }),
    );
    const res = await fetch(`${server.url}/v1/predict`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ sites }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { sites: { efflux: number[] }[] };
    const entry = server.models.entries[0]!;
    const enc = sites.map((s, i) => encodeSite(s, entry.schema, `sites[${i}]`));
    const batch = stackSites(enc, entry.schema.dynamic.length, staticWidth(entry.schema));
    const y = await direct.predict(batch);
    // Same input, same model: equal within the parity tolerance (batch composition and thread count change the
    // float32 summation order, so the last bit may differ).
    enc.forEach((e, b) => {
      const want = Array.from(e.rows, (r) => y[b * batch.time + r]!);
      expect(body.sites[b]!.efflux).toHaveLength(want.length);
      expect(assertParity(body.sites[b]!.efflux, want).maxAbs).toBeLessThan(1e-5);
    });
  });

  it("answers many concurrent requests correctly through the micro-batcher", async () => {
    const sites = Array.from({ length: 24 }, (_, k) => ({
      ...demoSite(30 + 11 * k, { id: `s${k}`, gapEvery: 4 + (k % 5) }),
      spin_up: "none" as const,
    }));
    const answers = await Promise.all(
      sites.map(async (s) => {
        const r = await fetch(`${server.url}/v1/predict`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ sites: [s] }),
        });
        return ((await r.json()) as { sites: { id: string; efflux: number[] }[] }).sites[0]!;
      }),
    );
    const entry = server.models.entries[0]!;
    for (const [k, s] of sites.entries()) {
      const e = encodeSite(s, entry.schema, "s");
      const y = await direct.predict(stackSites([e], entry.schema.dynamic.length, staticWidth(entry.schema)));
      expect(answers[k]!.id).toBe(`s${k}`);
      expect(
        assertParity(
          answers[k]!.efflux,
          Array.from(e.rows, (r) => y[r]!),
        ).maxAbs,
      ).toBeLessThan(1e-5);
    }
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/soilco2_batch_sites_count/);
  });
});

/** POST `body` chunk by chunk to a loopback server, with `Content-Length` or chunked; the status and JSON answer. */
function rawPost(url: string, chunks: string[], declared: "content-length" | "chunked") {
  const bytes = chunks.reduce((n, c) => n + Buffer.byteLength(c), 0);
  return new Promise<{ status: number; body: { code?: string; sites?: unknown[] } }>((resolve, reject) => {
    const req = request(`${url}/v1/predict`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(declared === "content-length" ? { "content-length": String(bytes) } : {}),
      },
    });
    req.on("response", (res) => {
      let text = "";
      res.on("data", (d) => {
        text += d;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    // the server may answer 413 and close before the whole body is written
    req.on("error", (e) => ((e as NodeJS.ErrnoException).code === "EPIPE" ? undefined : reject(e)));
    for (const c of chunks) req.write(c);
    req.end();
  });
}

describe("body size limit over a socket", () => {
  it("judges a declared Content-Length by the header, a chunked body by its bytes, and serves one under the limit", async () => {
    const small = await startServer({
      models: fx.modelsDir,
      port: 0,
      provider: "cpu",
      threads: 1,
      limits: { maxBodyBytes: 4000 },
      print: () => {},
    });
    try {
      const fits = JSON.stringify({ sites: [{ ...demoSite(20), spin_up: "none" }] });
      const over = JSON.stringify({ sites: [demoSite(60), demoSite(60)] });
      expect(Buffer.byteLength(fits)).toBeLessThan(4000);
      expect(Buffer.byteLength(over)).toBeGreaterThan(4000);
      const pieces = (t: string) => t.match(/[\s\S]{1,500}/g)!;
      for (const declared of ["content-length", "chunked"] as const) {
        const ok = await rawPost(small.url, pieces(fits), declared);
        expect(ok.status, declared).toBe(200);
        expect(ok.body.sites).toHaveLength(1);
        const big = await rawPost(small.url, pieces(over), declared);
        expect(big.status, declared).toBe(413);
        expect(big.body.code).toBe("payload_too_large");
      }
    } finally {
      await small.close();
    }
  });
});

describe("model loading and execution provider", () => {
  it("accepts the model root or one model directory, and names a missing path with how to export one", async () => {
    expect(await findModelDirs(fx.modelsDir)).toEqual([modelDir]);
    expect(await findModelDirs(modelDir)).toEqual([modelDir]);
    const missing = join(fx.root, "nothing-here");
    const err = await findModelDirs(missing).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ArtefactError);
    expect(String((err as Error).message)).toContain(missing);
    expect(String((err as Error).message)).toContain("soilco2 export");
    await expect(findModelDirs(fx.runDir)).rejects.toThrow(/holds no model/);
  });

  it("loads a model on the main thread too", async () => {
    const m = await loadModels(modelDir, { provider: "cpu", thread: "main" });
    expect(m.entries.map((e) => [e.name, e.version, e.executionProvider, e.ready])).toEqual([
      ["soilco2-lstm", "2.0.0", "cpu", true],
    ]);
    await m.release();
  });

  it("gives every session intra-op threads that sleep when idle, in options onnxruntime-node accepts", async () => {
    expect(sessionOptionsFor(2)).toEqual({
      intraOpNumThreads: 2,
      interOpNumThreads: 1,
      extra: { session: { intra_op: { allow_spinning: "0" } } },
    });
    // the binding refuses an `extra` value that is not a string, so a session that opens and answers took them
    const m = await loadModels(modelDir, { provider: "cpu", threads: 2, sessions: 1 });
    expect(m.entries.map((e) => e.ready)).toEqual([true]);
    await m.release();
  });

  it("auto picks CPU without a usable CUDA provider, and says why; cuda alone fails clearly", async () => {
    const { modelBytes } = await readModelDir(modelDir);
    const s = await createProviderSession(ortNode as unknown as NodeOrt, modelBytes, "auto");
    if (s.provider === "cpu")
      expect(s.reason).toMatch(/no NVIDIA GPU|CUDA provider is not installed|CUDA session failed/);
    await s.predictor.release();
    if (s.provider === "cpu")
      await expect(createProviderSession(ortNode as unknown as NodeOrt, modelBytes, "cuda")).rejects.toThrow(
        /--provider cuda/,
      );
  });
});

describe("graceful shutdown", () => {
  it("finishes requests in flight, refuses new connections, then releases the sessions", async () => {
    const s = await startServer({
      models: modelDir,
      port: 0,
      provider: "cpu",
      print: () => {},
      graceMs: 5000,
    });
    const entry = s.models.entries[0]!;
    const real = entry.predictor.predict.bind(entry.predictor);
    entry.predictor = {
      predict: async (x) => {
        await new Promise((r) => setTimeout(r, 300));
        return real(x);
      },
    };
    const inflight = fetch(`${s.url}/v1/predict`, {
      method: "POST",
      headers: { "content-type": "application/json", connection: "close" },
      body: JSON.stringify({ sites: [demoSite(10)] }),
    });
    await new Promise((r) => setTimeout(r, 80));
    expect(s.inflight()).toBe(1);
    const closing = s.close();
    const res = await inflight;
    expect(res.status).toBe(200);
    expect(((await res.json()) as { sites: unknown[] }).sites).toHaveLength(1);
    await closing;
    await expect(fetch(`${s.url}/v2/health/live`)).rejects.toThrow();
  });
});

describe("soilco2 serve (CLI)", () => {
  it("fails with the missing path and how to export a model", async () => {
    const missing = join(fx.root, "no-models");
    const err = await buildProgram()
      .exitOverride()
      .parseAsync(["node", "soilco2", "serve", "--models", missing, "--port", "0"])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ArtefactError);
    expect((err as Error).message).toContain(missing);
    expect((err as Error).message).toMatch(/soilco2 export <run dir> --out models\/soilco2-lstm\/<version>/);
  });

  it("parses sizes, rates and flags into server options", () => {
    expect(parseSize("16mb")).toBe(16 * 1024 * 1024);
    expect(parseSize("512kb")).toBe(512 * 1024);
    expect(parseSize("1000")).toBe(1000);
    expect(parseRate("600/min")).toBe(600);
    expect(parseRate("10/s")).toBe(600);
    expect(parseRate("120")).toBe(120);
    expect(() => parseRate("fast")).toThrow(/rate/);
    const o = serveOptions(
      {
        models: "m",
        port: 0,
        host: "0.0.0.0",
        maxBatch: 32,
        maxBatchDays: 900,
        maxWaitMs: 3,
        maxQueue: 100,
        batching: false,
        cors: "https://a.example, https://b.example",
        apiKey: ["k1"],
        rateLimit: 60,
        siteDaysRate: 5000,
        trustedProxies: 1,
        public: ["/metrics"],
        maxRequestSiteDays: 700,
        maxQueuedSiteDays: 1400,
        maxBody: 1000,
        maxSites: 5,
        maxDays: 10,
        timeoutMs: 100,
        provider: "cpu",
        threads: 2,
        sessions: 3,
        graceMs: 5,
      },
      { SOILCO2_API_KEYS: "k2, k3" },
    );
    expect(o).toMatchObject({
      models: "m",
      host: "0.0.0.0",
      provider: "cpu",
      threads: 2,
      sessions: 3,
      batching: { enabled: false, maxBatch: 32, maxBatchDays: 900, maxWaitMs: 3, maxQueue: 100 },
      cors: { origins: ["https://a.example", "https://b.example"] },
      apiKeys: ["k1", "k2", "k3"],
      rateLimit: { perMinute: 60, siteDaysPerMinute: 5000 },
      trustedProxies: 1,
      publicPaths: ["/metrics"],
      limits: {
        maxSites: 5,
        maxDays: 10,
        maxBodyBytes: 1000,
        timeoutMs: 100,
        maxRequestSiteDays: 700,
        maxQueuedSiteDays: 1400,
      },
    });
  });
});
