// Fuzz: thousands of malformed, oversized, wrong-typed, NaN/Infinity-as-string, deeply nested and truncated bodies
// sent to the in-process app. Never a 5xx, always the JSON error shape, and a valid request still answers the same.
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { staticWidth } from "../core/model-schema.ts";
import { encodeSite } from "../core/request.ts";
import { createApp } from "../serving/app.ts";
import { demoSite, makeApp, makeModelRoot } from "./serving-fixture.ts";

const fx = await makeModelRoot({ hidden: 8, seed: 2, versions: ["1.0.0"] });
const { models } = await makeApp(fx.modelsDir);
afterAll(async () => {
  await models.release();
  await fx.cleanup();
});
const app = createApp({
  registry: models.registry,
  limits: { maxSites: 8, maxDays: 120, maxBodyBytes: 64 * 1024, timeoutMs: 10_000 },
  log: () => {},
});
const PATHS = [
  "/v1/predict",
  "/v2/models/soilco2-lstm/infer",
  "/v2/models/soilco2-lstm/versions/1.0.0/infer",
];
const validPredict = { sites: [demoSite(20, { id: "a", gapEvery: 4 }), demoSite(9)] };
const schema = models.entries[0]!.schema;
const Dd = schema.dynamic.length;
const Ds = staticWidth(schema);
const three = encodeSite(demoSite(3), schema, "site");
const nullable = (a: Float32Array) => Array.from(a, (v) => (Number.isNaN(v) ? null : v));
const validInfer = {
  id: "x",
  inputs: [
    { name: "dynamic", shape: [1, 3, Dd], datatype: "FP32", data: nullable(three.dynamic) },
    { name: "static", shape: [1, Ds], datatype: "FP32", data: nullable(three.static) },
  ],
};
let sent = 0;
const statuses = new Map<number, number>();

/** Send one body; check the answer is never a 5xx and always well-formed JSON. */
async function check(path: string, body: string, contentType: string | undefined): Promise<void> {
  sent++;
  const res = await app.request(path, {
    method: "POST",
    headers: contentType ? { "content-type": contentType } : {},
    body,
  });
  statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
  const text = await res.text();
  expect(res.status, `${path} <- ${body.slice(0, 200)}\n-> ${text.slice(0, 300)}`).toBeLessThan(500);
  const json = JSON.parse(text) as { error?: unknown; code?: unknown; hint?: unknown };
  if (res.status >= 400) {
    expect(typeof json.error).toBe("string");
    expect(typeof json.code).toBe("string");
    expect(typeof json.hint).toBe("string");
  }
}

/** Values that break types and ranges: NaN and Infinity as strings, huge numbers, wrong kinds, deep nesting. */
const nasty = fc.oneof(
  fc.constantFrom("NaN", "Infinity", "-Infinity", "nan", "1e400", "", "null", "0x10", "2019-02-30", "🌱"),
  fc.constantFrom(1e308, -1e308, Number.MAX_SAFE_INTEGER, -0, 0.1, 61, -41, 1001, 3.5),
  fc.constantFrom(null, true, false, [], {}, [null], [[1]], { a: 1 }),
  fc.string({ maxLength: 30 }),
  fc.double(),
  fc.integer(),
  fc.nat(20).map((n) => JSON.parse("[".repeat(n + 1) + "]".repeat(n + 1)) as unknown),
  fc.array(fc.oneof(fc.double({ noNaN: true }), fc.constant(null)), { maxLength: 200 }),
);

/** Set a value at a random path inside a JSON value (or delete it when `value` is undefined). */
function mutate(root: unknown, pick: number[], value: unknown): unknown {
  const copy = structuredClone(root) as Record<string, unknown>;
  let node: unknown = copy;
  for (let depth = 0; depth < pick.length; depth++) {
    if (!node || typeof node !== "object") break;
    const keys = Object.keys(node as object);
    if (keys.length === 0) break;
    const key = keys[pick[depth]! % keys.length]!;
    const child = (node as Record<string, unknown>)[key];
    const last = depth === pick.length - 1 || !child || typeof child !== "object";
    if (last) {
      if (value === undefined) delete (node as Record<string, unknown>)[key];
      else (node as Record<string, unknown>)[key] = value;
      break;
    }
    node = child;
  }
  return copy;
}

const path = fc.constantFrom(...PATHS);
const contentType = fc.constantFrom(
  "application/json",
  "text/plain",
  undefined,
  "application/x-www-form-urlencoded",
);
const mutated = fc
  .tuple(
    fc.constantFrom<unknown>(validPredict, validInfer),
    fc.array(fc.nat(50), { minLength: 1, maxLength: 7 }),
    fc.option(nasty, { nil: undefined }),
    fc.nat(3),
  )
  .map(([base, pick, value, extra]) => {
    let v = mutate(base, pick, value);
    if (extra === 1) v = mutate(v, [...pick].reverse(), "NaN");
    if (extra === 2 && v && typeof v === "object") (v as Record<string, unknown>).unknown_field = value ?? 1;
    return JSON.stringify(v);
  });
const truncated = fc
  .tuple(
    fc.constantFrom(JSON.stringify(validPredict), JSON.stringify(validInfer)),
    fc.double({ min: 0, max: 1, noNaN: true }),
  )
  .map(([text, f]) => text.slice(0, Math.floor(text.length * f)));
const deep = fc.oneof(
  // unclosed: truncated deep nesting
  fc
    .tuple(
      fc.integer({ min: 1_000, max: 60_000 }),
      fc.constantFrom("[", '{"a":', '{"sites":[', '{"inputs":[{"data":'),
    )
    .map(([n, open]) => `${open.repeat(n)}1`),
  // closed: valid JSON nested tens of thousands deep where arrays and objects are expected
  fc
    .tuple(
      fc.integer({ min: 100, max: 30_000 }),
      fc.constantFrom(
        (x: string) => `{"sites":${x}}`,
        (x: string) => `{"sites":[{"static":{},"start":"2020-01-01","drivers":{"tsoil_mean":${x}}}]}`,
        (x: string) =>
          `{"inputs":[{"name":"dynamic","shape":[1,3,${Dd}],"datatype":"FP32","data":${x}},${JSON.stringify(validInfer.inputs[1])}]}`,
        (x: string) => x,
      ),
    )
    .map(([n, wrap]) => wrap(`${"[".repeat(n)}1${"]".repeat(n)}`)),
);
const oversized = fc.oneof(
  fc.nat(30).map((k) => JSON.stringify({ sites: Array.from({ length: 9 + k }, () => demoSite(2)) })),
  fc.nat(30).map((k) => JSON.stringify({ sites: [demoSite(121 + k)] })),
  fc.nat(10).map((k) => `{"sites":[],"pad":"${"x".repeat(70_000 + k)}"}`),
  fc.constantFrom(
    JSON.stringify({
      ...validInfer,
      inputs: [{ ...validInfer.inputs[0], shape: [1e9, 1e9, Dd] }, validInfer.inputs[1]],
    }),
    JSON.stringify({
      ...validInfer,
      inputs: [{ ...validInfer.inputs[0], shape: [1, 1e300, Dd] }, validInfer.inputs[1]],
    }),
    JSON.stringify({
      ...validInfer,
      inputs: [{ ...validInfer.inputs[0], shape: [-1, 3, Dd] }, validInfer.inputs[1]],
    }),
    JSON.stringify({
      ...validInfer,
      inputs: [{ ...validInfer.inputs[0], shape: [1, 3, 8, 1, 1, 1, 1, 1, 1, 1] }],
    }),
  ),
);
const garbage = fc.oneof(
  fc.json(),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 300 }),
  fc.uint8Array({ maxLength: 300 }).map((b) => String.fromCharCode(...b)),
);

describe("fuzzing the request parsers", () => {
  const run = (name: string, arb: fc.Arbitrary<string>, numRuns: number) =>
    it(`${name}: ${numRuns} bodies, never a 5xx`, async () => {
      await fc.assert(
        fc.asyncProperty(path, arb, contentType, (p, body, ct) => check(p, body, ct)),
        { numRuns, seed: 20240611 + numRuns + name.length },
      );
    });
  run("mutated valid bodies", mutated, 900);
  run("random JSON and bytes", garbage, 500);
  run("truncated bodies", truncated, 250);
  run("oversized bodies and shapes", oversized, 200);
  run("deeply nested bodies", deep, 150);

  it("sent thousands of bodies, then a valid request still answers correctly", async () => {
    expect(sent).toBeGreaterThanOrEqual(2000);
    console.log(`fuzz: ${sent} bodies, statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`);
    const fresh = createApp({ registry: models.registry });
    const [a, b] = await Promise.all(
      [app, fresh].map((x) =>
        x.request("/v1/predict", { method: "POST", body: JSON.stringify(validPredict) }),
      ),
    );
    expect(a!.status).toBe(200);
    expect(await a!.json()).toEqual(await b!.json());
  });
});
