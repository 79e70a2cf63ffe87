// Every endpoint in-process through app.request(): /v1/predict, KServe v2 (against the protocol's own examples),
// OpenAPI and Swagger UI, /metrics, mounts, and the limits, auth, rate limit, CORS and shutdown behaviour.
import { Hono } from "hono";
import { afterAll, describe, expect, it } from "vitest";
import { stackSites } from "../core/batch.ts";
import { dayNumber, isoDate } from "../core/dates.ts";
import { staticWidth } from "../core/model-schema.ts";
import { encodeSite } from "../core/request.ts";
import { createApp } from "../serving/app.ts";
import { createModelRegistry, type ModelEntry } from "../serving/registry.ts";
import { demoSite, makeApp, makeModelRoot, postJson } from "./serving-fixture.ts";

const fx = await makeModelRoot({ hidden: 8, versions: ["1.0.0", "1.1.0"] });
const { app, models } = await makeApp(fx.modelsDir, { server: { name: "soilco2", version: "9.9.9" } });
afterAll(async () => {
  await models.release();
  await fx.cleanup();
});
const latest = models.registry.get("soilco2-lstm")!;
const Dd = latest.schema.dynamic.length;
const Ds = staticWidth(latest.schema);

/** A registry entry like the real one, with another predictor (slow, failing, ...). */
function fakeEntry(over: Partial<ModelEntry>): ModelEntry {
  return { ...latest, ...over };
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Expect an error answer of the house shape, and return it. */
async function expectError(res: Response, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toMatch(/application\/json/);
  const body = (await res.json()) as { error: string; code: string; hint: string; path?: string };
  expect(body.code).toBe(code);
  expect(typeof body.error).toBe("string");
  expect(typeof body.hint).toBe("string");
  return { ...body, message: body.error };
}

describe("KServe v2 health and metadata", () => {
  it("GET /v2/health/live and /v2/health/ready", async () => {
    expect(await (await app.request("/v2/health/live")).json()).toEqual({ live: true });
    const r = await app.request("/v2/health/ready");
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ ready: true });
  });

  it("GET /v2 is the server metadata", async () => {
    expect(await (await app.request("/v2")).json()).toEqual({
      name: "soilco2",
      version: "9.9.9",
      extensions: ["binary_tensor_data"],
    });
  });

  it("GET /v2/models/{name} describes the latest version's tensors, platform and execution provider", async () => {
    const r = await app.request("/v2/models/soilco2-lstm");
    expect(r.status).toBe(200);
    const m = (await r.json()) as Record<string, unknown> & { parameters: Record<string, unknown> };
    expect(m).toMatchObject({
      name: "soilco2-lstm",
      versions: ["1.0.0", "1.1.0"],
      platform: "onnxruntime_onnx",
      inputs: [
        { name: "dynamic", datatype: "FP32", shape: [-1, -1, Dd] },
        { name: "static", datatype: "FP32", shape: [-1, Ds] },
      ],
      outputs: [{ name: "efflux", datatype: "FP32", shape: [-1, -1] }],
    });
    expect(m.parameters).toMatchObject({
      version: "1.1.0",
      execution_provider: "cpu",
      sha256: latest.sha256,
    });
  });

  it("GET /v2/models/{name}/versions/{v} and the ready endpoints", async () => {
    const m = (await (await app.request("/v2/models/soilco2-lstm/versions/1.0.0")).json()) as {
      parameters: { version: string };
    };
    expect(m.parameters.version).toBe("1.0.0");
    for (const path of ["/v2/models/soilco2-lstm/ready", "/v2/models/soilco2-lstm/versions/1.0.0/ready"]) {
      const r = await app.request(path);
      expect(r.status).toBe(200);
      expect(await r.json()).toEqual({ name: "soilco2-lstm", ready: true });
    }
  });

  it("unknown models and versions are 404 naming what is loaded", async () => {
    const e = await expectError(await app.request("/v2/models/nope"), 404, "model_not_found");
    expect(e.hint).toContain("soilco2-lstm (1.0.0, 1.1.0)");
    await expectError(await app.request("/v2/models/soilco2-lstm/versions/7/ready"), 404, "model_not_found");
    await expectError(await app.request("/no/such/route"), 404, "not_found");
  });
});

/** Direct onnxruntime output for a /v1/predict body: encode, stack, predict, pick each site's dates. */
async function direct(entry: ModelEntry, sites: ReturnType<typeof demoSite>[]): Promise<number[][]> {
  const enc = sites.map((s, i) => encodeSite(s, entry.schema, `sites[${i}]`));
  const batch = stackSites(enc, Dd, Ds);
  const y = await entry.predictor.predict(batch);
  return enc.map((e, b) => Array.from(e.rows, (r) => y[b * batch.time + r]!));
}

describe("POST /v1/predict", () => {
  it("answers each site with dates, efflux and warm-up, equal to onnxruntime's output (cold start)", async () => {
    const sites = [
      { ...demoSite(40, { id: "a", gapEvery: 6 }), spin_up: "none" as const },
      { ...demoSite(12, { start: "2020-02-25" }), spin_up: "none" as const },
    ];
    const r = await postJson(app, "/v1/predict", { sites });
    expect(r.status).toBe(200);
    const body = (await r.json()) as {
      model: { name: string; version: string; sha256: string };
      units: string;
      sites: { id: string; dates: string[]; efflux: number[]; warmup_until: string | null }[];
    };
    expect(body.model).toEqual({ name: "soilco2-lstm", version: "1.1.0", sha256: latest.sha256 });
    expect(body.units).toBe("umol CO2 m-2 s-1");
    expect(body.sites.map((s) => s.id)).toEqual(["a", "1"]);
    expect(body.sites[1]!.dates.slice(3, 6)).toEqual(["2020-02-28", "2020-02-29", "2020-03-01"]);
    expect(body.sites[0]!.efflux).toHaveLength(40);
    const warm = latest.schema.warmupDays;
    // a 40-day cold start is all warm-up: its last date is the last one still warming up
    expect(body.sites[0]!.warmup_until).toBe(
      warm > 0 ? isoDate(dayNumber("2019-01-01")! + Math.min(warm, 40) - 1) : null,
    );
    const want = await direct(latest, sites);
    for (const [i, s] of body.sites.entries()) expect(s.efflux).toEqual(want[i]);
  });

  it("takes sparse dates: gaps between dates are stepped through", async () => {
    const s = demoSite(3);
    const site = { ...s, start: undefined, dates: ["2021-06-01", "2021-06-05", "2021-07-01"] };
    const r = await postJson(app, "/v1/predict", { sites: [site] });
    expect(r.status).toBe(200);
    const body = (await r.json()) as { sites: { dates: string[]; efflux: number[] }[] };
    expect(body.sites[0]!.dates).toEqual(site.dates);
    expect(body.sites[0]!.efflux.every((v) => Number.isFinite(v) && v >= 0)).toBe(true);
  });

  it("picks a model version by name, and refuses unknown ones", async () => {
    const old = models.registry.get("soilco2-lstm", "1.0.0")!;
    const r = await postJson(app, "/v1/predict", {
      model: "soilco2-lstm",
      version: "1.0.0",
      sites: [demoSite(5)],
    });
    expect(((await r.json()) as { model: { version: string } }).model.version).toBe(old.version);
    const e = await expectError(
      await postJson(app, "/v1/predict", { version: "3.0", sites: [demoSite(5)] }),
      404,
      "model_not_found",
    );
    expect(e.path).toBe("version");
    await expectError(
      await postJson(app, "/v1/predict", { model: "x", sites: [demoSite(5)] }),
      404,
      "model_not_found",
    );
  });

  it("names the offending field with the model's range and unit", async () => {
    const sites = [demoSite(20), demoSite(20), demoSite(20)];
    sites[2]!.drivers.tsoil_mean[14] = 75;
    const e = await expectError(await postJson(app, "/v1/predict", { sites }), 400, "invalid_input");
    expect(e.message).toBe("sites[2].drivers.tsoil_mean[14]: 75 is above the valid maximum 60 degC");
    expect(e.path).toBe("sites[2].drivers.tsoil_mean[14]");
    expect(e.hint).toBe("check the unit");
  });

  it("refuses unknown fields, wrong types, NaN as a string, and bad JSON with 400", async () => {
    const s = demoSite(5) as Record<string, unknown>;
    let e = await expectError(
      await postJson(app, "/v1/predict", { sites: [{ ...s, colour: 1 }] }),
      400,
      "invalid_input",
    );
    expect(e.path).toBe("sites[0].colour");
    const nan = demoSite(5) as unknown as { drivers: Record<string, unknown[]> };
    nan.drivers.swc_mean![2] = "NaN";
    e = await expectError(await postJson(app, "/v1/predict", { sites: [nan] }), 400, "invalid_input");
    expect(e.path).toBe("sites[0].drivers.swc_mean[2]");
    expect(e.hint).toMatch(/null for a gap/);
    const notSeries = demoSite(5) as unknown as { drivers: Record<string, unknown> };
    notSeries.drivers.swc_mean = 0.3;
    e = await expectError(await postJson(app, "/v1/predict", { sites: [notSeries] }), 400, "invalid_input");
    expect(e.message).toMatch(/^sites\[0\]\.drivers\.swc_mean: .*expected array/);
    const objectIn = demoSite(5) as unknown as { drivers: Record<string, unknown[]> };
    objectIn.drivers.tsoil_mean![3] = { v: 1 };
    e = await expectError(await postJson(app, "/v1/predict", { sites: [objectIn] }), 400, "invalid_input");
    expect(e.path).toBe("sites[0].drivers.tsoil_mean[3]");
    e = await expectError(
      await postJson(app, "/v1/predict", {
        sites: [{ ...s, static: { ...(s.static as object), igbp: "XX" } }],
      }),
      400,
      "invalid_input",
    );
    expect(e.path).toBe("sites[0].static.igbp");
    await expectError(await postJson(app, "/v1/predict", "{ not json"), 400, "invalid_json");
    await expectError(await postJson(app, "/v1/predict", ""), 400, "invalid_json");
    await expectError(await postJson(app, "/v1/predict", { sites: [] }), 400, "invalid_input");
    e = await expectError(
      await postJson(app, "/v1/predict", { sites: [{ ...s, start: undefined }] }),
      400,
      "invalid_input",
    );
    expect(e.path).toBe("sites[0].start");
  });
});

/** A KServe v2 request for a raw batch, NaN sent as null. */
function inferBody(
  dynamic: Float32Array,
  stat: Float32Array,
  batch: number,
  time: number,
  extra: object = {},
) {
  const data = (a: Float32Array) => Array.from(a, (v) => (Number.isNaN(v) ? null : v));
  return {
    ...extra,
    inputs: [
      { name: "dynamic", shape: [batch, time, Dd], datatype: "FP32", data: data(dynamic) },
      { name: "static", shape: [batch, Ds], datatype: "FP32", data: data(stat) },
    ],
  };
}

describe("POST /v2/models/{name}/infer (Open Inference Protocol)", () => {
  const enc = [demoSite(30, { gapEvery: 5 }), demoSite(30)].map((s, i) =>
    encodeSite(s, latest.schema, `s${i}`),
  );
  const batch = stackSites(enc, Dd, Ds);

  it("follows the protocol's example: id echoed, outputs selected, flat FP32 data [batch, time]", async () => {
    const body = inferBody(batch.dynamic, batch.static, 2, 30, { id: "42", outputs: [{ name: "efflux" }] });
    const r = await postJson(app, "/v2/models/soilco2-lstm/infer", body);
    expect(r.status).toBe(200);
    const res = (await r.json()) as {
      model_name: string;
      model_version: string;
      id: string;
      outputs: { name: string; shape: number[]; datatype: string; data: number[] }[];
    };
    expect(res).toMatchObject({ model_name: "soilco2-lstm", model_version: "1.1.0", id: "42" });
    expect(res.outputs).toHaveLength(1);
    expect(res.outputs[0]).toMatchObject({ name: "efflux", shape: [2, 30], datatype: "FP32" });
    expect(res.outputs[0]!.data).toEqual(Array.from(await latest.predictor.predict(batch)));
  });

  it("accepts nested data (as the shape) and a versioned path, with the same answer", async () => {
    const flat = inferBody(batch.dynamic, batch.static, 2, 30);
    const nest = (a: (number | null)[], shape: number[]): unknown[] =>
      shape.length === 1
        ? a
        : Array.from({ length: shape[0]! }, (_, i) => {
            const n = a.length / shape[0]!;
            return nest(a.slice(i * n, (i + 1) * n), shape.slice(1));
          });
    const nested = {
      inputs: flat.inputs.map((t) => ({ ...t, data: nest(t.data as (number | null)[], t.shape) })),
    };
    const [a, b] = await Promise.all([
      postJson(app, "/v2/models/soilco2-lstm/infer", flat),
      postJson(app, "/v2/models/soilco2-lstm/versions/1.1.0/infer", nested),
    ]);
    expect(b.status).toBe(200);
    expect(((await a.json()) as { outputs: unknown }).outputs).toEqual(
      ((await b.json()) as { outputs: unknown }).outputs,
    );
  });

  it("refuses the protocol's literal example request (another model's tensors) with 400 naming the input", async () => {
    const example = {
      id: "42",
      inputs: [
        { name: "input0", shape: [2, 2], datatype: "UINT32", data: [1, 2, 3, 4] },
        { name: "input1", shape: [3], datatype: "BOOL", data: [true] },
      ],
      outputs: [{ name: "output0" }],
    };
    const e = await expectError(
      await postJson(app, "/v2/models/soilco2-lstm/infer", example),
      400,
      "invalid_input",
    );
    expect(e.path).toBe("inputs[0].name");
    expect(e.message).toMatch(/unknown input "input0"/);
  });

  it("names the tensor, shape or element at fault", async () => {
    const ok = inferBody(batch.dynamic, batch.static, 2, 30);
    const post = (b: unknown) => postJson(app, "/v2/models/soilco2-lstm/infer", b);
    const withInput = (i: number, over: object) => ({
      inputs: ok.inputs.map((t, k) => (k === i ? { ...t, ...over } : t)),
    });
    let e = await expectError(await post(withInput(0, { datatype: "FP64" })), 400, "invalid_input");
    expect(e.path).toBe("inputs[0].datatype");
    e = await expectError(await post(withInput(1, { shape: [2, 20] })), 400, "invalid_input");
    expect(e.path).toBe("inputs[1].shape");
    e = await expectError(
      await post(withInput(1, { data: ok.inputs[1]!.data.slice(1) })),
      400,
      "invalid_input",
    );
    expect(e.path).toBe("inputs[1].data");
    const bad = [...ok.inputs[0]!.data];
    bad[3 * Dd] = 99; // row 0, step 3, tsoil_mean
    e = await expectError(await post(withInput(0, { data: bad })), 400, "invalid_input");
    expect(e.message).toBe(
      "inputs[0].data[24] (row 0, step 3, tsoil_mean): 99 is above the valid maximum 60 degC",
    );
    bad[3 * Dd] = "NaN" as unknown as number;
    e = await expectError(await post(withInput(0, { data: bad })), 400, "invalid_input");
    expect(e.hint).toMatch(/null for a gap/);
    e = await expectError(await post({ inputs: [ok.inputs[0]] }), 400, "invalid_input");
    expect(e.message).toMatch(/missing input static/);
    e = await expectError(await post({ ...ok, outputs: [{ name: "y" }] }), 400, "invalid_input");
    expect(e.path).toBe("outputs[0].name");
    const lat = [...ok.inputs[1]!.data];
    lat[0] = null; // latitude is required: no gap allowed
    e = await expectError(await post(withInput(1, { data: lat })), 400, "invalid_input");
    expect(e.message).toMatch(/latitude is required/);
  });
});

describe("limits, timeouts and overload", () => {
  it("refuses too many sites, too many days and too large bodies", async () => {
    const small = createApp({
      registry: models.registry,
      limits: { maxSites: 2, maxDays: 30, maxBodyBytes: 5000 },
    });
    let e = await expectError(
      await postJson(small, "/v1/predict", { sites: [demoSite(3), demoSite(3), demoSite(3)] }),
      400,
      "invalid_input",
    );
    expect(e.path).toBe("sites");
    e = await expectError(
      await postJson(small, "/v1/predict", { sites: [demoSite(31)] }),
      400,
      "invalid_input",
    );
    expect(e.path).toMatch(/^sites\[0\]\.drivers/);
    e = await expectError(
      await postJson(small, "/v1/predict", { sites: [demoSite(30), demoSite(30)] }),
      413,
      "payload_too_large",
    );
    expect(e.message).toMatch(/larger than 5000 bytes/);
    const x = new Float32Array(3 * 40 * Dd).fill(1.2345678);
    e = await expectError(
      await postJson(small, "/v2/models/soilco2-lstm/infer", inferBody(x, new Float32Array(3 * Ds), 3, 40)),
      413,
      "payload_too_large",
    );
    expect((await postJson(small, "/v1/predict", { sites: [demoSite(30)] })).status).toBe(200);
    // a streamed body without Content-Length is cut off at the limit too
    const text = JSON.stringify({ sites: [demoSite(30), demoSite(30)] });
    const stream = new ReadableStream<Uint8Array>({
      start(ctl) {
        for (let i = 0; i < text.length; i += 1000)
          ctl.enqueue(new TextEncoder().encode(text.slice(i, i + 1000)));
        ctl.close();
      },
    });
    const streamed = await small.request("/v1/predict", {
      method: "POST",
      body: stream,
      duplex: "half",
    } as RequestInit);
    await expectError(streamed, 413, "payload_too_large");
  });

  it("answers 408 past the timeout, and the next request still works", async () => {
    const slow = fakeEntry({
      predictor: {
        predict: async (x) => {
          await sleep(150);
          return latest.predictor.predict(x);
        },
      },
    });
    const a = createApp({ registry: createModelRegistry([slow]), limits: { timeoutMs: 40 } });
    const e = await expectError(await postJson(a, "/v1/predict", { sites: [demoSite(5)] }), 408, "timeout");
    expect(e.message).toMatch(/longer than 40 ms/);
    await sleep(200);
    const b = createApp({ registry: createModelRegistry([slow]), limits: { timeoutMs: 2000 } });
    expect((await postJson(b, "/v1/predict", { sites: [demoSite(5)] })).status).toBe(200);
  });

  it("answers 503 overloaded when the queue is full", async () => {
    const slow = fakeEntry({
      predictor: {
        predict: async (x) => {
          await sleep(60);
          return latest.predictor.predict(x);
        },
      },
    });
    const a = createApp({
      registry: createModelRegistry([slow]),
      batching: { maxBatch: 1, maxWaitMs: 0, maxQueue: 1, maxInflight: 1 },
    });
    const rs = await Promise.all([1, 2, 3].map(() => postJson(a, "/v1/predict", { sites: [demoSite(5)] })));
    expect(rs.map((r) => r.status).sort()).toEqual([200, 200, 503]);
    const r503 = rs.find((r) => r.status === 503)!;
    expect(r503.headers.get("retry-after")).toBe("1");
    await expectError(r503, 503, "overloaded");
  });

  it("a model that throws gives 500 JSON without details, and the app keeps answering", async () => {
    const broken = fakeEntry({
      predictor: { predict: async () => Promise.reject(new Error("secret detail")) },
    });
    const logged: unknown[] = [];
    const a = createApp({ registry: createModelRegistry([broken]), log: (_m, e) => logged.push(e) });
    const e = await expectError(await postJson(a, "/v1/predict", { sites: [demoSite(5)] }), 500, "internal");
    expect(e.message).not.toMatch(/secret/);
    expect(logged).toHaveLength(1);
    expect((await a.request("/v2/health/live")).status).toBe(200);
  });

  it("a model that is not ready: readiness 503 and predictions 503", async () => {
    const a = createApp({ registry: createModelRegistry([fakeEntry({ ready: false })]) });
    expect((await a.request("/v2/health/ready")).status).toBe(503);
    expect(await (await a.request("/v2/models/soilco2-lstm/ready")).json()).toEqual({
      name: "soilco2-lstm",
      ready: false,
    });
    await expectError(await postJson(a, "/v1/predict", { sites: [demoSite(5)] }), 503, "model_not_ready");
  });

  it("while shutting down: readiness fails and API requests get 503 with Connection: close", async () => {
    const a = createApp({ registry: models.registry, isShuttingDown: () => true });
    expect((await a.request("/v2/health/ready")).status).toBe(503);
    expect((await a.request("/v2/health/live")).status).toBe(200);
    const r = await postJson(a, "/v1/predict", { sites: [demoSite(5)] });
    expect(r.headers.get("connection")).toBe("close");
    await expectError(r, 503, "shutting_down");
  });
});

describe("API keys, rate limit, CORS", () => {
  it("API keys guard /v1 and /v2/models, never the health probes", async () => {
    const a = createApp({ registry: models.registry, apiKeys: ["k-123", "k-456"] });
    let e = await expectError(
      await postJson(a, "/v1/predict", { sites: [demoSite(3)] }),
      401,
      "unauthorized",
    );
    expect(e.hint).toMatch(/Bearer/);
    e = await expectError(
      await postJson(a, "/v1/predict", { sites: [demoSite(3)] }, { Authorization: "Bearer wrong" }),
      401,
      "unauthorized",
    );
    expect(
      (await postJson(a, "/v1/predict", { sites: [demoSite(3)] }, { Authorization: "Bearer k-456" })).status,
    ).toBe(200);
    await expectError(await a.request("/v2/models/soilco2-lstm"), 401, "unauthorized");
    expect((await a.request("/v2/health/ready")).status).toBe(200);
    expect((await a.request("/v2/health/live")).status).toBe(200);
  });

  it("rate limits per client address with 429, Retry-After and RateLimit headers", async () => {
    const a = createApp({ registry: models.registry, rateLimit: { perMinute: 2 } });
    const from = (ip: string) => ({ incoming: { socket: { remoteAddress: ip } } });
    const r1 = await a.request("/v2/models/soilco2-lstm", {}, from("1.1.1.1"));
    expect(r1.headers.get("ratelimit-remaining")).toBe("1");
    await a.request("/v2/models/soilco2-lstm", {}, from("1.1.1.1"));
    const r3 = await a.request("/v2/models/soilco2-lstm", {}, from("1.1.1.1"));
    expect(Number(r3.headers.get("retry-after"))).toBeGreaterThan(0);
    await expectError(r3, 429, "rate_limited");
    expect((await a.request("/v2/models/soilco2-lstm", {}, from("2.2.2.2"))).status).toBe(200);
  });

  it("CORS answers preflights for allowed origins only", async () => {
    const a = createApp({
      registry: models.registry,
      cors: { origins: ["https://app.example"] },
      apiKeys: ["k"],
    });
    const pre = await a.request("/v1/predict", {
      method: "OPTIONS",
      headers: {
        Origin: "https://app.example",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type, authorization",
      },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get("access-control-allow-origin")).toBe("https://app.example");
    expect(pre.headers.get("access-control-allow-headers")).toMatch(/Authorization/i);
    const other = await a.request("/v2/health/live", { headers: { Origin: "https://evil.example" } });
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
    const open = createApp({ registry: models.registry, cors: { origins: "*" } });
    const r = await open.request("/v2/health/live", { headers: { Origin: "https://x.example" } });
    expect(r.headers.get("access-control-allow-origin")).toBe("*");
    expect(
      (await app.request("/v2/health/live", { headers: { Origin: "https://x.example" } })).headers.get(
        "access-control-allow-origin",
      ),
    ).toBeNull();
  });
});

describe("OpenAPI, Swagger UI, metrics, mounts", () => {
  it("/openapi.json documents every endpoint, with the predict body built from the model schema", async () => {
    const doc = (await (await app.request("/openapi.json")).json()) as {
      openapi: string;
      paths: Record<
        string,
        Record<string, { requestBody?: { content: Record<string, { schema: unknown }> } }>
      >;
    };
    expect(doc.openapi).toMatch(/^3\./);
    for (const p of [
      "/v1/predict",
      "/v2/health/live",
      "/v2/health/ready",
      "/v2",
      "/v2/models/{name}",
      "/v2/models/{name}/versions/{version}",
      "/v2/models/{name}/ready",
      "/v2/models/{name}/infer",
      "/v2/models/{name}/versions/{version}/infer",
    ])
      expect(doc.paths[p], p).toBeDefined();
    const schema = JSON.stringify(
      doc.paths["/v1/predict"]!.post!.requestBody!.content["application/json"]!.schema,
    );
    expect(schema).toContain("tsoil_mean");
    expect(schema).toContain("valid -40..60");
    expect(schema).toContain("DBF");
    // a driver series is documented as what it is: an array of numbers or nulls, as long as the day limit
    const props = (
      doc.paths["/v1/predict"]!.post!.requestBody!.content["application/json"]!.schema as {
        properties: {
          sites: { items: { properties: { drivers: { properties: Record<string, unknown> } } } };
        };
      }
    ).properties.sites.items.properties.drivers.properties;
    expect(props.tsoil_mean).toMatchObject({
      type: "array",
      items: { type: ["number", "null"] },
      maxItems: 3660,
    });
    const docs = await app.request("/docs");
    expect(docs.status).toBe(200);
    expect(await docs.text()).toMatch(/swagger/i);
  });

  it("/metrics exposes requests by route and status, batch sizes, queue waits, inference time, model state", async () => {
    await postJson(app, "/v1/predict", { sites: [demoSite(5)] });
    await app.request("/v2/models/nope");
    const text = await (await app.request("/metrics")).text();
    expect(text).toMatch(
      /soilco2_http_requests_total\{method="POST",route="\/v1\/predict",status="200"\} \d+/,
    );
    expect(text).toMatch(
      /soilco2_http_requests_total\{method="GET",route="\/v2\/models\/:name",status="404"\}/,
    );
    expect(text).toMatch(/soilco2_http_request_duration_seconds_bucket/);
    expect(text).toMatch(/soilco2_batch_sites_count\{model="soilco2-lstm",version="1.1.0"\} \d+/);
    expect(text).toMatch(/soilco2_batch_queue_wait_seconds_count/);
    expect(text).toMatch(
      /soilco2_inference_seconds_count\{model="soilco2-lstm",version="1.1.0",provider="cpu"\}/,
    );
    expect(text).toMatch(/soilco2_model_state\{model="soilco2-lstm",version="1.1.0",state="ready"\} 1/);
    expect(text).toMatch(/soilco2_model_info\{model="soilco2-lstm",version="1.1.0",provider="cpu"\} 1/);
  });

  it("mounts extra sub-apps (the edge demo and widget hook), open with keys when listed public", async () => {
    const demo = new Hono().get("/", (c) => c.html("<h1>demo</h1>"));
    const widget = new Hono().get("/:file", (c) => c.text(`asset ${c.req.param("file")}`));
    const a = createApp({
      registry: models.registry,
      apiKeys: ["k"],
      publicPaths: ["/demo/*", "/widget/*"],
      mounts: [
        { path: "/demo", app: demo },
        { path: "/widget", app: widget },
      ],
    });
    expect(await (await a.request("/demo")).text()).toBe("<h1>demo</h1>");
    expect(await (await a.request("/widget/soilco2.js")).text()).toBe("asset soilco2.js");
  });
});
