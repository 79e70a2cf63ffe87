// Limits that hold against a hostile client (issue 14): the rate limit keys on the socket address (X-Forwarded-For
// only through trusted proxy hops), stays bounded in memory, counts failed authentication; admission bounds the
// work (site-days) per request, per client and in the queue; keys cover every route but health; bad /demo paths.
import { readFileSync } from "node:fs";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterAll, describe, expect, it } from "vitest";
import { buildProgram } from "../cli/main.ts";
import { ConfigError } from "../core/errors.ts";
import { demoMount } from "../edge/demo/demo-app.ts";
import { workerOptions } from "../edge/worker/worker-options.ts";
import { createApp } from "../serving/app.ts";
import { startServer } from "../serving/node/server.ts";
import { createModelRegistry, type ModelEntry } from "../serving/registry.ts";
import { createWindowCounter, OVERFLOW_KEY } from "../serving/window-counter.ts";
import { demoSite, makeApp, makeModelRoot, postJson } from "./serving-fixture.ts";

const fx = await makeModelRoot({ hidden: 8, seed: 4, versions: ["1.0.0"] });
const { models, metrics } = await makeApp(fx.modelsDir);
afterAll(async () => {
  await models.release();
  await fx.cleanup();
});
const latest = models.registry.get("soilco2-lstm")!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** The env @hono/node-server passes: a socket with this peer address. */
const peer = (ip: string) => ({ incoming: { socket: { remoteAddress: ip } } });

async function codeOf(res: Response): Promise<{ status: number; code: string; error: string }> {
  const body = (await res.json()) as { code: string; error: string };
  return { status: res.status, code: body.code, error: body.error };
}

/** The amplification body of the issue: 1000 sites, each with two dates ten years apart (3.66 M site-days). */
function amplification(): unknown {
  const site = demoSite(2);
  const { start: _start, ...rest } = site;
  const drivers = Object.fromEntries(Object.keys(site.drivers).map((k) => [k, [10, 11]]));
  drivers.swc_mean = [0.2, 0.3];
  drivers.precip_sum = [0, 1];
  return {
    sites: Array.from({ length: 1000 }, () => ({ ...rest, dates: ["2000-01-01", "2010-01-07"], drivers })),
  };
}

describe("rate limit keyed by the socket address", () => {
  it("rotating X-Forwarded-For does not escape a 5/min limit: 5 of 20 pass", async () => {
    const a = createApp({ registry: models.registry, rateLimit: { perMinute: 5 } });
    const statuses: number[] = [];
    for (let n = 0; n < 20; n++) {
      const headers = { "X-Forwarded-For": n % 2 ? `1.2.3.${n}` : `1.2.3.${n}, 127.0.0.1` };
      statuses.push((await a.request("/v2/models/soilco2-lstm", { headers }, peer("198.51.100.7"))).status);
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(15);
  });

  it("over a loopback socket (soilco2 serve): rotating X-Forwarded-For passes 5 of 20 under 5/min", async () => {
    const server = await startServer({
      models: fx.modelsDir,
      port: 0,
      provider: "cpu",
      threads: 1,
      rateLimit: { perMinute: 5 },
      print: () => {},
    });
    try {
      const statuses: number[] = [];
      for (let n = 0; n < 20; n++) {
        const res = await fetch(`${server.url}/v2/models/soilco2-lstm`, {
          headers: { "X-Forwarded-For": `1.2.3.${n}, 127.0.0.1` },
        });
        await res.arrayBuffer();
        statuses.push(res.status);
      }
      expect(statuses.filter((s) => s === 200)).toHaveLength(5);
    } finally {
      await server.close();
    }
  });

  it("honours X-Forwarded-For only through the configured trusted hops", async () => {
    const a = createApp({ registry: models.registry, rateLimit: { perMinute: 2 }, trustedProxies: 1 });
    const viaProxy = (xff: string) =>
      a.request("/v2/models/soilco2-lstm", { headers: { "X-Forwarded-For": xff } }, peer("10.0.0.2"));
    // the proxy appended the real client (203.0.113.9); what the client wrote before it is ignored
    const spoofed = [];
    for (let n = 0; n < 6; n++) spoofed.push((await viaProxy(`9.9.9.${n}, 203.0.113.9`)).status);
    expect(spoofed).toEqual([200, 200, 429, 429, 429, 429]);
    // another client behind the same proxy has its own budget
    expect((await viaProxy("203.0.113.10")).status).toBe(200);
  });

  it("keeps memory bounded: 5000 clients with 15.5 KB addresses add under 30 MB of heap (77 MB of keys)", async () => {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const a = createApp({
      registry: models.registry,
      rateLimit: { perMinute: 5, maxClients: 1000 },
      trustedProxies: 1,
    });
    const pad = "x".repeat(15_500);
    gc();
    const before = process.memoryUsage().heapUsed;
    const statuses = new Map<number, number>();
    for (let n = 0; n < 5000; n++) {
      const res = await a.request(
        "/v2/health/none",
        { headers: { "X-Forwarded-For": `${n}${pad}` } },
        peer("10.0.0.3"),
      );
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    }
    gc();
    const grown = process.memoryUsage().heapUsed - before;
    expect(grown).toBeLessThan(30 * 1024 * 1024);
    // past 1000 clients every new one shares one bucket of 5: the flood is still limited
    expect(statuses.get(429)).toBeGreaterThan(3900);
  });

  it("the window counter holds at most maxKeys keys of at most maxKeyLength characters", () => {
    const c = createWindowCounter({ windowMs: 60_000, maxKeys: 100, maxKeyLength: 64 });
    for (let n = 0; n < 5000; n++) c.add(`${n}${"y".repeat(2000)}`, 1);
    expect(c.size).toBe(101);
    expect(c.add(OVERFLOW_KEY, 0).used).toBe(4900);
  });

  it("counts failed authentications: 3 wrong keys use up a 3/min budget", async () => {
    const a = createApp({ registry: models.registry, apiKeys: ["good-key"], rateLimit: { perMinute: 3 } });
    const as = (k: string) => ({ headers: { Authorization: `Bearer ${k}` } });
    for (let n = 0; n < 3; n++)
      expect((await a.request("/v2/models/soilco2-lstm", as(`guess-${n}`), peer("192.0.2.1"))).status).toBe(
        401,
      );
    const r = await a.request("/v2/models/soilco2-lstm", as("good-key"), peer("192.0.2.1"));
    expect(r.status).toBe(429);
    expect(Number(r.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await a.request("/v2/models/soilco2-lstm", as("good-key"), peer("192.0.2.2"))).status).toBe(200);
  });
});

describe("cost-based admission (site-days)", () => {
  it("refuses the amplification body (sparse dates count their span) with 413 before any inference", async () => {
    const a = createApp({ registry: models.registry, metrics });
    const before = await (await metrics.render()).body;
    const t0 = performance.now();
    const res = await postJson(a, "/v1/predict", amplification());
    const ms = performance.now() - t0;
    const e = await codeOf(res);
    expect(e).toMatchObject({ status: 413, code: "too_much_work" });
    // 1000 sites × (a 3660-day span + the model's 90-day spin-up)
    expect(e.error).toMatch(/3750000 site-days/);
    expect(ms).toBeLessThan(2000);
    const after = await (await metrics.render()).body;
    const sites = (t: string) => Number(/soilco2_sites_predicted_total\{[^}]*\} (\d+)/.exec(t)?.[1] ?? 0);
    expect(sites(after)).toBe(sites(before));
  });

  it("v2 counts batch × time from the shape: 413 before the tensors are read", async () => {
    const a = createApp({ registry: models.registry, limits: { maxRequestSiteDays: 1000 } });
    const body = {
      inputs: [
        { name: "dynamic", datatype: "FP32", shape: [10, 101, latest.schema.dynamic.length], data: [] },
        { name: "static", datatype: "FP32", shape: [10, 1], data: [] },
      ],
    };
    expect(await codeOf(await postJson(a, "/v2/models/soilco2-lstm/infer", body))).toMatchObject({
      status: 413,
      code: "too_much_work",
    });
  });

  it("refuses with 503 and Retry-After when the queued site-days would pass the bound, then admits again", async () => {
    let calls = 0;
    const slow: ModelEntry = {
      ...latest,
      predictor: {
        predict: async (x) => {
          calls++;
          await sleep(80);
          return latest.predictor.predict(x);
        },
      },
    };
    const a = createApp({
      registry: createModelRegistry([slow]),
      limits: { maxRequestSiteDays: 400, maxQueuedSiteDays: 500 },
    });
    const year = { sites: [demoSite(300)] };
    const first = postJson(a, "/v1/predict", year);
    await sleep(5);
    const second = await postJson(a, "/v1/predict", year);
    expect(second.status).toBe(503);
    expect(second.headers.get("retry-after")).toBe("1");
    expect((await codeOf(second)).code).toBe("overloaded");
    expect((await first).status).toBe(200);
    expect((await postJson(a, "/v1/predict", year)).status).toBe(200);
    expect(calls).toBe(2);
  });

  it("a per-client site-day budget answers 429 with Retry-After", async () => {
    const a = createApp({ registry: models.registry, rateLimit: { perMinute: 100, siteDaysPerMinute: 100 } });
    const cold = (days: number) => ({ sites: [{ ...demoSite(days), spin_up: "none" }] }); // no spin-up days
    expect((await postJson(a, "/v1/predict", cold(60))).status).toBe(200);
    const r = await postJson(a, "/v1/predict", cold(60));
    expect(r.status).toBe(429);
    expect(Number(r.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await postJson(a, "/v1/predict", cold(30))).status).toBe(200);
  });
});

describe("authentication covers every route but health", () => {
  const keyed = (over: object = {}) =>
    createApp({
      registry: models.registry,
      metrics,
      apiKeys: ["k-1"],
      mounts: [demoMount(fx.modelsDir)],
      ...over,
    });

  it("with keys set, /metrics, the docs, /v2 and the demo's model file need a key; health stays open", async () => {
    const a = keyed();
    for (const path of [
      "/metrics",
      "/demo/widget/model/model.onnx",
      "/openapi.json",
      "/docs",
      "/v2",
      "/demo/",
    ])
      expect((await a.request(path)).status, path).toBe(401);
    for (const path of ["/v2/health/live", "/v2/health/ready"])
      expect((await a.request(path)).status).toBe(200);
    const withKey = await a.request("/demo/widget/model/model.onnx", {
      headers: { Authorization: "Bearer k-1" },
    });
    expect(withKey.status).toBe(200);
    expect((await withKey.arrayBuffer()).byteLength).toBeGreaterThan(1000);
  });

  it("publicPaths opens what is configured, and only that", async () => {
    const a = keyed({ publicPaths: ["/metrics", "/demo/*"] });
    expect((await a.request("/metrics")).status).toBe(200);
    expect((await a.request("/demo/widget/model/manifest.json")).status).toBe(200);
    expect((await a.request("/openapi.json")).status).toBe(401);
  });

  it("refuses a key with a space at start-up, naming the rule and not the key", async () => {
    expect(() => createApp({ registry: models.registry, apiKeys: ["ok-key", "has space"] })).toThrow(
      ConfigError,
    );
    expect(() => createApp({ registry: models.registry, apiKeys: ["has space"] })).toThrow(
      /key 1 of 1.*no spaces/,
    );
    const err = await buildProgram()
      .exitOverride()
      .parseAsync([
        "node",
        "soilco2",
        "serve",
        "--models",
        fx.modelsDir,
        "--port",
        "0",
        "--api-key",
        "my secret",
      ])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/not a valid bearer token/);
    expect((err as Error).message).not.toMatch(/my secret/);
  });

  it("the edge worker reads keys, public paths, CORS origins and limits from its bindings", () => {
    const o = workerOptions({
      API_KEYS: "k1, k2",
      PUBLIC_PATHS: "/demo/*",
      CORS_ORIGINS: "https://a.example,https://b.example",
      RATE_LIMIT: "60",
      SITE_DAYS_RATE: "100000",
      TRUSTED_PROXIES: "0",
      MAX_SITES: "10",
      MAX_REQUEST_SITE_DAYS: "5000",
    });
    expect(o).toMatchObject({
      apiKeys: ["k1", "k2"],
      publicPaths: ["/demo/*"],
      cors: { origins: ["https://a.example", "https://b.example"] },
      rateLimit: { perMinute: 60, siteDaysPerMinute: 100000 },
      trustedProxies: 0,
      limits: { maxSites: 10, maxRequestSiteDays: 5000 },
    });
    expect(workerOptions({}).cors).toBeUndefined();
    // the shipped wrangler.toml opens CORS to no origin until partners are listed
    const toml = readFileSync(new URL("../edge/worker/wrangler.toml", import.meta.url), "utf8");
    expect(/^CORS_ORIGINS = "(.*)"$/m.exec(toml)?.[1]).toBe("");
    expect(() => workerOptions({ API_KEYS: "a b" })).toThrow(/bearer token/);
    expect(() => workerOptions({ RATE_LIMIT: "lots" })).toThrow(/RATE_LIMIT/);
  });
});

describe("/demo paths", () => {
  it("GET /demo/%ZZ is a 400 and logs nothing", async () => {
    const logged: unknown[] = [];
    const a = createApp({
      registry: models.registry,
      mounts: [demoMount(fx.modelsDir)],
      log: (_m, e) => logged.push(e),
    });
    const errors: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => errors.push(args);
    try {
      for (const path of ["/demo/%ZZ", "/demo/widget/%E0%A4%A", "/demo/%"]) {
        const r = await a.request(path);
        expect(r.status, path).toBe(400);
      }
    } finally {
      console.error = original;
    }
    expect(logged).toEqual([]);
    expect(errors).toEqual([]);
  });
});
