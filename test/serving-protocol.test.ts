// Open Inference Protocol conformance, data-driven: every answer parses with the payload schemas of the published
// OpenAPI document (helpers/oip-schemas.ts), errors are `{ "error": "<string>" }` (detail beside it), wrong methods
// are 405 with Allow, Triton's binary tensor data extension in and out, every land-cover one-hot checked, metrics
// labelled by version with prom-client's standard process_* names.
import { afterAll, describe, expect, it } from "vitest";
import type { z } from "zod";
import { stackSites } from "../core/batch.ts";
import { staticWidth } from "../core/model-schema.ts";
import { encodeSite } from "../core/request.ts";
import { demoMount } from "../edge/demo/demo-app.ts";
import { createApp } from "../serving/app.ts";
import { createPromMetrics } from "../serving/node/prom-metrics.ts";
import {
  errorResponseZ,
  inferenceResponseZ,
  metadataModelResponseZ,
  metadataServerResponseZ,
} from "./helpers/oip-schemas.ts";
import { demoSite, makeApp, makeModelRoot, postJson } from "./serving-fixture.ts";

const fx = await makeModelRoot({ hidden: 8, seed: 6, versions: ["1.0.0"] });
const { models } = await makeApp(fx.modelsDir);
afterAll(async () => {
  await models.release();
  await fx.cleanup();
});
const metrics = createPromMetrics();
const app = createApp({
  registry: models.registry,
  metrics,
  mounts: [demoMount(fx.modelsDir)],
  log: () => {},
});
const entry = models.registry.get("soilco2-lstm")!;
const schema = entry.schema;
const Dd = schema.dynamic.length;
const Ds = staticWidth(schema);
const batch = stackSites(
  [demoSite(12, { gapEvery: 4 }), demoSite(12)].map((s, i) => encodeSite(s, schema, `s${i}`)),
  Dd,
  Ds,
);
const nullable = (a: Float32Array) => Array.from(a, (v) => (Number.isNaN(v) ? null : v));
const jsonInputs = (st: ArrayLike<number | null> = nullable(batch.static)) => [
  { name: "dynamic", shape: [2, 12, Dd], datatype: "FP32", data: nullable(batch.dynamic) },
  { name: "static", shape: [2, Ds], datatype: "FP32", data: Array.from(st) },
];
const INFER = "/v2/models/soilco2-lstm/infer";

interface Case {
  name: string;
  method: string;
  path: string;
  body?: unknown;
  status: number;
  schema: z.ZodType;
  allow?: string;
}

const cases: Case[] = [
  {
    name: "server live",
    method: "GET",
    path: "/v2/health/live",
    status: 200,
    schema: errorResponseZ.partial(),
  },
  { name: "server metadata", method: "GET", path: "/v2", status: 200, schema: metadataServerResponseZ },
  {
    name: "model metadata",
    method: "GET",
    path: "/v2/models/soilco2-lstm",
    status: 200,
    schema: metadataModelResponseZ,
  },
  {
    name: "model metadata, versioned",
    method: "GET",
    path: "/v2/models/soilco2-lstm/versions/1.0.0",
    status: 200,
    schema: metadataModelResponseZ,
  },
  {
    name: "unknown model metadata",
    method: "GET",
    path: "/v2/models/nope",
    status: 404,
    schema: errorResponseZ,
  },
  {
    name: "inference",
    method: "POST",
    path: INFER,
    body: { id: "7", inputs: jsonInputs() },
    status: 200,
    schema: inferenceResponseZ,
  },
  {
    name: "inference, bad JSON",
    method: "POST",
    path: INFER,
    body: "{",
    status: 400,
    schema: errorResponseZ,
  },
  {
    name: "inference, the spec's example request",
    method: "POST",
    path: INFER,
    body: { id: "42", inputs: [{ name: "input0", shape: [2, 2], datatype: "UINT32", data: [1, 2, 3, 4] }] },
    status: 400,
    schema: errorResponseZ,
  },
  {
    name: "inference on an unknown model",
    method: "POST",
    path: "/v2/models/nope/infer",
    body: { inputs: [] },
    status: 404,
    schema: errorResponseZ,
  },
  { name: "GET on infer", method: "GET", path: INFER, status: 405, schema: errorResponseZ, allow: "POST" },
  {
    name: "GET on /v1/predict",
    method: "GET",
    path: "/v1/predict",
    status: 405,
    schema: errorResponseZ,
    allow: "POST",
  },
  {
    name: "GET on /v1/reference",
    method: "GET",
    path: "/v1/reference",
    status: 405,
    schema: errorResponseZ,
    allow: "POST",
  },
  {
    name: "DELETE on a versioned infer",
    method: "DELETE",
    path: "/v2/models/soilco2-lstm/versions/1.0.0/infer",
    status: 405,
    schema: errorResponseZ,
    allow: "POST",
  },
  {
    name: "POST on live",
    method: "POST",
    path: "/v2/health/live",
    body: {},
    status: 405,
    schema: errorResponseZ,
    allow: "GET, HEAD",
  },
  {
    name: "POST on ready",
    method: "POST",
    path: "/v2/health/ready",
    body: {},
    status: 405,
    schema: errorResponseZ,
    allow: "GET, HEAD",
  },
  {
    name: "PUT on model metadata",
    method: "PUT",
    path: "/v2/models/soilco2-lstm",
    body: {},
    status: 405,
    schema: errorResponseZ,
    allow: "GET, HEAD",
  },
  {
    name: "POST on /v2",
    method: "POST",
    path: "/v2",
    body: {},
    status: 405,
    schema: errorResponseZ,
    allow: "GET, HEAD",
  },
  {
    name: "POST on /metrics",
    method: "POST",
    path: "/metrics",
    body: {},
    status: 405,
    schema: errorResponseZ,
    allow: "GET, HEAD",
  },
  {
    name: "POST on /openapi.json",
    method: "POST",
    path: "/openapi.json",
    body: {},
    status: 405,
    schema: errorResponseZ,
    allow: "GET, HEAD",
  },
  {
    name: "POST on the demo",
    method: "POST",
    path: "/demo/index.html",
    body: {},
    status: 405,
    schema: errorResponseZ,
    allow: "GET, HEAD",
  },
  { name: "an unknown path", method: "GET", path: "/v3/anything", status: 404, schema: errorResponseZ },
];

describe("conformance with the Open Inference Protocol (REST spec + OpenAPI)", () => {
  it.each(cases)("$name: $method $path → $status", async (c) => {
    const init: RequestInit = { method: c.method };
    if (c.body !== undefined) {
      init.body = typeof c.body === "string" ? c.body : JSON.stringify(c.body);
      init.headers = { "Content-Type": "application/json" };
    }
    const res = await app.request(c.path, init);
    expect(res.status).toBe(c.status);
    const text = await res.text();
    const parsed = c.schema.safeParse(text ? JSON.parse(text) : {});
    expect(parsed.success, `${text.slice(0, 300)}\n${parsed.error?.message ?? ""}`).toBe(true);
    if (c.status >= 400) {
      const body = JSON.parse(text) as { error: unknown; code: unknown; hint: unknown };
      expect(typeof body.error).toBe("string");
      expect(typeof body.code).toBe("string");
      expect(typeof body.hint).toBe("string");
    }
    if (c.allow) expect(res.headers.get("allow")).toBe(c.allow);
  });
});

/** A request body with the binary tensor extension: JSON header, then the inputs' little-endian FP32 bytes. */
function binaryRequest(
  header: unknown,
  tensors: Float32Array[],
): { body: Uint8Array<ArrayBuffer>; headers: Record<string, string> } {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const size = tensors.reduce((s, t) => s + t.byteLength, 0);
  const body = new Uint8Array(json.length + size);
  body.set(json);
  const view = new DataView(body.buffer);
  let at = json.length;
  for (const t of tensors)
    for (const v of t) {
      view.setFloat32(at, v, true);
      at += 4;
    }
  return {
    body,
    headers: {
      "Content-Type": "application/octet-stream",
      "Inference-Header-Content-Length": String(json.length),
    },
  };
}

/** Read a binary answer: its JSON header and its FP32 outputs. */
async function readBinary(res: Response): Promise<{
  header: { outputs: { parameters?: { binary_data_size?: number }; data?: number[] }[] };
  values: Float32Array;
}> {
  const bytes = new Uint8Array(await res.arrayBuffer());
  const n = Number(res.headers.get("inference-header-content-length"));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(0, n)));
  const rest = bytes.slice(n);
  const view = new DataView(rest.buffer);
  const values = new Float32Array(rest.length / 4);
  for (let k = 0; k < values.length; k++) values[k] = view.getFloat32(k * 4, true);
  return { header, values };
}

describe("binary tensor data extension (Triton)", () => {
  const bin = { parameters: { binary_data_size: 0 } };
  const header = (outputs?: unknown, parameters?: unknown) => ({
    inputs: [
      {
        name: "dynamic",
        shape: [2, 12, Dd],
        datatype: "FP32",
        parameters: { binary_data_size: batch.dynamic.byteLength },
      },
      {
        name: "static",
        shape: [2, Ds],
        datatype: "FP32",
        parameters: { binary_data_size: batch.static.byteLength },
      },
    ],
    ...(outputs ? { outputs } : {}),
    ...(parameters ? { parameters } : {}),
  });

  it("takes binary inputs and gives a binary output as Triton's HTTP client asks (binary_data: true)", async () => {
    const expected = await entry.predictor.predict(batch);
    const req = binaryRequest(header([{ name: "efflux", parameters: { binary_data: true } }]), [
      batch.dynamic,
      batch.static,
    ]);
    const res = await app.request(INFER, { method: "POST", ...req });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/octet-stream");
    const { header: h, values } = await readBinary(res);
    expect(h.outputs[0]!.parameters?.binary_data_size).toBe(expected.byteLength);
    expect(h.outputs[0]!.data).toBeUndefined();
    expect(values).toEqual(expected);
  });

  it("binary_data_output on the request makes every output binary; binary_data: false keeps JSON", async () => {
    const json = await postJson(app, INFER, {
      inputs: jsonInputs(),
      parameters: { binary_data_output: true },
    });
    expect(json.headers.get("inference-header-content-length")).not.toBeNull();
    const { values } = await readBinary(json);
    expect(values).toEqual(await entry.predictor.predict(batch));
    const off = await postJson(app, INFER, {
      inputs: jsonInputs(),
      parameters: { binary_data_output: true },
      outputs: [{ name: "efflux", parameters: { binary_data: false } }],
    });
    expect(inferenceResponseZ.safeParse(await off.json()).success).toBe(true);
  });

  it("binary inputs with a JSON answer equal the all-JSON answer", async () => {
    const a = await app.request(INFER, {
      method: "POST",
      ...binaryRequest(header(), [batch.dynamic, batch.static]),
    });
    const b = await postJson(app, INFER, { inputs: jsonInputs() });
    expect(a.status).toBe(200);
    expect((await a.json()).outputs).toEqual((await b.json()).outputs);
  });

  it.each([
    ["a header length past the body", { "Inference-Header-Content-Length": "999999" }],
    ["a header length that is not a number", { "Inference-Header-Content-Length": "ten" }],
  ])("refuses %s with 400", async (_what, extra) => {
    const req = binaryRequest(header(), [batch.dynamic, batch.static]);
    const res = await app.request(INFER, {
      method: "POST",
      body: req.body,
      headers: { ...req.headers, ...extra },
    });
    expect(res.status).toBe(400);
    expect(errorResponseZ.safeParse(await res.json()).success).toBe(true);
  });

  it("refuses sizes that do not add up, naming the input", async () => {
    const h = header();
    h.inputs[1]!.parameters = { binary_data_size: batch.static.byteLength - 4 };
    const res = await app.request(INFER, {
      method: "POST",
      ...binaryRequest(h, [batch.dynamic, batch.static]),
    });
    expect(res.status).toBe(400);
    const h2 = { inputs: [{ ...h.inputs[0]!, ...bin }, h.inputs[1]!] };
    const res2 = await app.request(INFER, {
      method: "POST",
      ...binaryRequest(h2, [batch.dynamic, batch.static]),
    });
    expect(res2.status).toBe(400);
  });

  it.each([
    [
      "a value above its column's maximum",
      "dynamic",
      0,
      1e4,
      /inputs\[0\]\.data\[0\] \(row 0, step 0, \w+\): 10000 is above the valid maximum/,
    ],
    [
      "an infinite value",
      "dynamic",
      Dd + 1,
      Number.POSITIVE_INFINITY,
      /inputs\[0\]\.data\[\d+\].*not a finite/,
    ],
    [
      "NaN in a column that allows no gap",
      "static",
      Ds - 1,
      Number.NaN,
      /inputs\[1\]\.data\[\d+\].*required/,
    ],
  ])("checks binary values like JSON ones: %s is a 400 naming the element", async (_w, input, k, v, re) => {
    const dyn = batch.dynamic.slice();
    const st = batch.static.slice();
    (input === "dynamic" ? dyn : st)[k] = v;
    const res = await app.request(INFER, { method: "POST", ...binaryRequest(header(), [dyn, st]) });
    const body = (await res.json()) as { error: string };
    expect(res.status, JSON.stringify(body)).toBe(400);
    expect(body.error).toMatch(re);
    // the same tensors as JSON (NaN as null, infinity as a number JSON.parse reads as Infinity) get the same error
    const data = (a: Float32Array) =>
      Array.from(a, (x) => (Number.isNaN(x) ? null : x === Number.POSITIVE_INFINITY ? "INF" : x));
    const text = JSON.stringify({
      inputs: [
        { name: "dynamic", shape: [2, 12, Dd], datatype: "FP32", data: data(dyn) },
        { name: "static", shape: [2, Ds], datatype: "FP32", data: data(st) },
      ],
    }).replace('"INF"', "1e400");
    const json = await app.request(INFER, {
      method: "POST",
      body: text,
      headers: { "content-type": "application/json" },
    });
    expect(json.status).toBe(400);
    expect(((await json.json()) as { error: string }).error).toBe(body.error);
  });
});

describe("every land-cover one-hot is validated on v2", () => {
  const cats = schema.categorical.categories;
  const row = (set: Record<string, number>) => {
    const st = Array.from(batch.static.subarray(0, Ds));
    for (let k = 0; k < cats.length; k++) st[schema.static.length + k] = set[cats[k]!] ?? 0;
    return [...st, ...st];
  };
  it.each([
    ["two categories set (DBF = 1, MF = 1)", 400, { DBF: 1, MF: 1 }],
    ["a half (WAT = 0.5)", 400, { WAT: 0.5 }],
    ["DBF = 1, MF = 1, WAT = 0.5", 400, { DBF: 1, MF: 1, WAT: 0.5 }],
    ["a negative (ENF = -1)", 400, { ENF: -1 }],
    ["exactly one 1", 200, { GRA: 1 }],
    ["all zeros (unknown land cover)", 200, {}],
  ])("%s → %i", async (_what, status, set) => {
    const res = await postJson(app, INFER, { inputs: jsonInputs(row(set)) });
    const body = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(status);
    if (status === 400) expect((body as { error: string }).error).toMatch(/one-hot/);
  });
});

describe("metrics", () => {
  it("model metrics carry the version, and process metrics keep prom-client's standard names", async () => {
    await postJson(app, INFER, { inputs: jsonInputs() });
    const text = await (await app.request("/metrics")).text();
    expect(text).toMatch(/soilco2_sites_predicted_total\{model="soilco2-lstm",version="1.0.0"\} \d+/);
    expect(text).toMatch(
      /soilco2_inference_seconds_count\{model="soilco2-lstm",version="1.0.0",provider="cpu"\}/,
    );
    for (const name of [
      "process_cpu_user_seconds_total",
      "process_resident_memory_bytes",
      "process_start_time_seconds",
      "nodejs_heap_size_used_bytes",
    ])
      expect(text).toMatch(new RegExp(`^${name}`, "m"));
    expect(text).not.toMatch(/soilco2_process_|soilco2_nodejs_/);
  });
});
