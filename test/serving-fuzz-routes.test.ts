// Fuzz every route (issue 14): 10 000+ generated requests through app.request() — any method on any path (the
// API, health, metrics, docs, the demo mount, unknown and badly percent-encoded paths), hostile headers
// (X-Forwarded-For, Authorization, Inference-Header-Content-Length), JSON, binary and garbage bodies, and the
// attacks of the issue (amplification body, rotating X-Forwarded-For, bad one-hots, %ZZ). Never a 5xx; every JSON
// error is `{ error: string, code, hint }`; the limits still hold afterwards.
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { staticWidth } from "../core/model-schema.ts";
import { encodeSite } from "../core/request.ts";
import { demoMount } from "../edge/demo/demo-app.ts";
import { createApp } from "../serving/app.ts";
import { createPromMetrics } from "../serving/node/prom-metrics.ts";
import { demoSite, makeApp, makeModelRoot } from "./serving-fixture.ts";

const fx = await makeModelRoot({ hidden: 8, seed: 3, versions: ["1"] });
const { models } = await makeApp(fx.modelsDir);
afterAll(async () => {
  await models.release();
  await fx.cleanup();
});
const schema = models.entries[0]!.schema;
const Dd = schema.dynamic.length;
const Ds = staticWidth(schema);
const limits = {
  maxSites: 8,
  maxDays: 400,
  maxBodyBytes: 256 * 1024,
  timeoutMs: 10_000,
  maxRequestSiteDays: 2000,
};
const common = { registry: models.registry, limits, log: () => {}, mounts: [demoMount(fx.modelsDir)] };
const apps = {
  open: createApp({ ...common, metrics: createPromMetrics({ defaultMetrics: false }) }),
  guarded: createApp({
    ...common,
    apiKeys: ["fuzz-key"],
    publicPaths: ["/demo/*"],
    rateLimit: { perMinute: 1_000_000, siteDaysPerMinute: 10_000_000, maxClients: 50 },
    trustedProxies: 1,
    cors: { origins: ["https://ok.example"] },
  }),
};

const three = encodeSite(demoSite(3), schema, "site");
const nullable = (a: Float32Array) => Array.from(a, (v) => (Number.isNaN(v) ? null : v));
const validInfer = {
  inputs: [
    { name: "dynamic", shape: [1, 3, Dd], datatype: "FP32", data: nullable(three.dynamic) },
    { name: "static", shape: [1, Ds], datatype: "FP32", data: nullable(three.static) },
  ],
};
const amplification = {
  sites: Array.from({ length: 8 }, () => {
    const { start: _s, ...rest } = demoSite(2);
    return { ...rest, dates: ["2000-01-01", "2010-01-07"] };
  }),
};
const badOneHot = () => {
  const st = nullable(three.static);
  st[schema.static.length] = 1;
  st[schema.static.length + 1] = 1;
  return { inputs: [validInfer.inputs[0], { ...validInfer.inputs[1], data: st }] };
};
const reference = { flux_mean: [1, 2, 3], tsoil_mean: [10, 11, 12] };

const PATHS = [
  "/v1/predict",
  "/v1/reference",
  "/v2",
  "/v2/",
  "/v2/health/live",
  "/v2/health/ready",
  "/v2/models/soilco2-lstm",
  "/v2/models/soilco2-lstm/ready",
  "/v2/models/soilco2-lstm/infer",
  "/v2/models/soilco2-lstm/versions/1",
  "/v2/models/soilco2-lstm/versions/1/ready",
  "/v2/models/soilco2-lstm/versions/1/infer",
  "/v2/models/nope/infer",
  "/v2/models/soilco2-lstm/versions/9/infer",
  "/metrics",
  "/openapi.json",
  "/docs",
  "/demo",
  "/demo/",
  "/demo/index.html",
  "/demo/site-d20200305_VARGAS.json",
  "/demo/widget/model/manifest.json",
  "/demo/widget/model/model.onnx",
  "/demo/%ZZ",
  "/demo/widget/%E0%A4%A",
  "/demo/..%2F..%2Fpackage.json",
  "/demo/widget/../../package.json",
  "/%ZZ",
  "/v2/models/%ZZ/infer",
  "/v2/models/%F0%9F%8C%B1",
  "/v3",
  "/",
];
const path = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...PATHS) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom("/v1/", "/v2/models/", "/demo/", "/"), fc.string({ maxLength: 40 }))
      .map(([p, s]) => p + encodeURIComponent(s).replace(/%2F/g, "/")),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.constantFrom("/v2/models/", "/demo/"),
        fc.array(fc.constantFrom("%", "%Z", "%ZZ", "%C3", "%00", "a", "/"), { maxLength: 6 }),
      )
      .map(([p, s]) => p + s.join("")),
  },
);
const method = fc.oneof(
  { weight: 3, arbitrary: fc.constant("GET") },
  { weight: 6, arbitrary: fc.constant("POST") },
  { weight: 1, arbitrary: fc.constantFrom("PUT", "DELETE", "PATCH", "OPTIONS", "HEAD") },
);
const header = fc.record(
  {
    "x-forwarded-for": fc.oneof(
      fc.ipV4(),
      fc.array(fc.ipV4(), { minLength: 1, maxLength: 4 }).map((a) => a.join(", ")),
      fc.string({ maxLength: 60 }).map((s) => s.replace(/[^\x20-\x7e]/g, "")),
      fc.nat(2000).map((n) => "z".repeat(n)),
    ),
    authorization: fc.constantFrom(
      "Bearer fuzz-key",
      "Bearer wrong",
      "Basic abc",
      "Bearer ",
      "bearer fuzz-key",
      "Bearer a b",
    ),
    "inference-header-content-length": fc.oneof(
      fc.nat(2000).map(String),
      fc.constantFrom("-1", "abc", "1e3", ""),
    ),
    "content-type": fc.constantFrom("application/json", "application/octet-stream", "text/plain"),
    origin: fc.constantFrom("https://ok.example", "https://evil.example"),
  },
  { requiredKeys: [] },
);
const jsonBody = fc.oneof(
  fc.constantFrom<unknown>(
    { sites: [demoSite(5)] },
    amplification,
    validInfer,
    badOneHot(),
    reference,
    { ...validInfer, outputs: [{ name: "efflux", parameters: { binary_data: true } }] },
    { ...validInfer, parameters: { binary_data_output: true } },
    { sites: [demoSite(401)] },
    { inputs: [{ ...validInfer.inputs[0], shape: [8, 400, Dd], data: [] }, validInfer.inputs[1]] },
  ),
  fc.jsonValue({ maxDepth: 4 }),
);
const body = fc.oneof(
  { weight: 4, arbitrary: jsonBody.map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
  {
    weight: 1,
    arbitrary: fc.tuple(jsonBody, fc.uint8Array({ maxLength: 400 })).map(([v, bytes]) => {
      const json = new TextEncoder().encode(JSON.stringify(v));
      const out = new Uint8Array(json.length + bytes.length);
      out.set(json);
      out.set(bytes, json.length);
      return out;
    }),
  },
);

let sent = 0;
const statuses = new Map<number, number>();

async function check(
  app: keyof typeof apps,
  m: string,
  p: string,
  h: Record<string, string>,
  b: string | Uint8Array,
  peer: string,
) {
  sent++;
  const init: RequestInit = { method: m, headers: h };
  if (m !== "GET" && m !== "HEAD") init.body = b as BodyInit;
  const res = await apps[app].request(p, init, { incoming: { socket: { remoteAddress: peer } } });
  statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
  const text = await res.text();
  expect(
    res.status,
    `${app} ${m} ${p} ${JSON.stringify(h).slice(0, 200)}\n-> ${text.slice(0, 300)}`,
  ).toBeLessThan(500);
  if (m !== "HEAD" && res.status >= 400 && res.headers.get("content-type")?.includes("application/json")) {
    const e = JSON.parse(text) as { error: unknown; code: unknown; hint: unknown };
    expect(typeof e.error, text.slice(0, 200)).toBe("string");
    expect(typeof e.code).toBe("string");
    expect(typeof e.hint).toBe("string");
  }
  if (res.status === 405) expect(res.headers.get("allow")).toBeTruthy();
}

describe("fuzzing every route", () => {
  it("10 000 generated requests over every route, method and hostile header: never a 5xx", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<keyof typeof apps>("open", "guarded"),
        method,
        path,
        header,
        body,
        fc.ipV4(),
        (app, m, p, h, b, peer) => check(app, m, p, h as Record<string, string>, b, peer),
      ),
      { numRuns: 10_000, seed: 14_2026 },
    );
    expect(sent).toBeGreaterThanOrEqual(10_000);
    console.log(
      `fuzz routes: ${sent} requests, statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`,
    );
    // every kind of answer was reached, so the generator covered the routes and guards
    for (const s of [200, 400, 401, 404, 405, 413]) expect(statuses.get(s), String(s)).toBeGreaterThan(0);
  }, 240_000);

  it("afterwards the limits still hold and a valid request still answers", async () => {
    const res = await apps.open.request("/v1/predict", {
      method: "POST",
      body: JSON.stringify(amplification),
    });
    expect(res.status).toBe(413);
    const ok = await apps.guarded.request("/v1/predict", {
      method: "POST",
      headers: { authorization: "Bearer fuzz-key" },
      body: JSON.stringify({ sites: [demoSite(5)] }),
    });
    expect(ok.status).toBe(200);
  });
});
