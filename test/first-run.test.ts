// The first ten minutes, as a newcomer meets them: `soilco2 serve` (= `npm start`) with no other step shows the demo
// chart (the widget is built at start when missing or stale) and the API docs with no internet (Swagger UI from the
// installed swagger-ui-dist, the bearer scheme, examples that succeed), and `GET /` lists the routes.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../edge/browser-harness.ts";
import { ensureWidget, widgetStaleness } from "../edge/widget/ensure-widget.ts";
import { SWAGGER_UI_CDN } from "../serving/routes/docs.ts";
import { type SpawnedServer, spawnServe } from "./helpers/spawn-serve.ts";

let server: SpawnedServer;
let browser: Browser;
let page: Page;
/** Requests the page tried to send off the machine (all refused). */
const offline: string[] = [];

beforeAll(async () => {
  server = await spawnServe();
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
  // no internet: anything but this server is refused, so a CDN dependency would show as a blank page
  await page.route("**/*", (route) => {
    const url = new URL(route.request().url());
    if (url.origin === new URL(server.url).origin) return route.continue();
    offline.push(url.href);
    return route.abort();
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  expect(await server?.stop()).toBe(0);
});

describe("npm start", () => {
  it("says where the docs and the demo are", () => {
    expect(server.output()).toMatch(/API docs http:\/\/\S+\/docs, demo http:\/\/\S+\/demo\//);
  });

  it("GET / lists the routes, the docs and the OpenAPI document", async () => {
    const res = await fetch(`${server.url}/`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { docs: string; routes: { method: string; path: string }[] };
    expect(body.docs).toBe("/docs");
    const routes = body.routes.map((r) => `${r.method} ${r.path}`);
    for (const r of [
      "POST /v1/predict",
      "POST /v1/reference",
      "GET /v2/health/ready",
      "GET /openapi.json",
      "GET /docs",
    ])
      expect(routes).toContain(r);
  });

  it("/demo draws the chart with no build step: the widget was built at start", async () => {
    const wasm: { url: string; cache: string; encoding: string }[] = [];
    page.on("response", (r) => {
      if (r.url().endsWith(".wasm"))
        wasm.push({
          url: r.url(),
          cache: r.headers()["cache-control"] ?? "",
          encoding: r.headers()["content-encoding"] ?? "",
        });
    });
    await page.goto(`${server.url}/demo/`);
    await page.waitForFunction(
      () =>
        ["ready", "error"].includes(document.querySelector<HTMLElement>("#demo-chart")?.dataset.state ?? ""),
      null,
      { timeout: 60_000 },
    );
    const state = await page.evaluate(() => {
      const el = document.querySelector("#demo-chart") as HTMLElement & {
        error?: string;
        predictions?: { dates: string[]; warmupUntil: string | null };
      };
      return {
        state: el.dataset.state,
        error: el.error,
        canvas: Boolean(el.shadowRoot?.querySelector("canvas")),
        first: el.predictions?.dates[0],
        warmupUntil: el.predictions?.warmupUntil,
        note: el.shadowRoot?.querySelector(".warmup-note")?.textContent ?? "",
      };
    });
    // the series is spun up before 1 January (core/spin-up.ts), so no value is a cold start to shade or explain
    expect(state).toMatchObject({ state: "ready", error: undefined, canvas: true, first: "2007-01-01" });
    expect(state.warmupUntil).toBeNull();
    expect(state.note).toBe("");
    await page.locator("#demo-chart").screenshot({ path: "test-results/first-run-demo.png" });
    // the ORT wasm under a content-hashed name, cached for good and sent compressed
    expect(wasm).toHaveLength(1);
    expect(wasm[0]!.url).toMatch(/ort-wasm-simd-threaded-[0-9a-f]{10}\.wasm$/);
    expect(wasm[0]!.cache).toContain("immutable");
    expect(wasm[0]!.encoding).toBe("gzip");
    expect(offline).toEqual([]);
  });

  it("/docs renders Swagger UI offline, with an Authorize button for the bearer scheme", async () => {
    await page.goto(`${server.url}/docs`);
    await page.waitForSelector(".swagger-ui .info .title", { timeout: 30_000 });
    expect(await page.textContent(".swagger-ui .info .title")).toContain("soilco2 prediction service");
    expect(await page.locator("button.authorize").count()).toBe(1);
    expect(offline).toEqual([]);
  });

  it("the documented examples succeed as sent by Try it out", async () => {
    const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as {
      components: { securitySchemes: Record<string, { scheme: string }> };
      paths: Record<
        string,
        { post: { security?: unknown; requestBody: { content: Record<string, { example: unknown }> } } }
      >;
    };
    expect(doc.components.securitySchemes.bearerAuth?.scheme).toBe("bearer");
    for (const path of ["/v1/predict", "/v1/reference"]) {
      const op = doc.paths[path]!.post;
      expect(op.security).toEqual([{ bearerAuth: [] }, {}]);
      const example = op.requestBody.content["application/json"]!.example;
      const res = await fetch(`${server.url}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(example),
      });
      expect(res.status, `${path}: ${await res.clone().text()}`).toBe(200);
    }
  });
});

describe("the widget build at start", () => {
  it("builds when missing, rebuilds when a source is newer than the bundle, and not otherwise", async () => {
    const dir = join(await mkdtemp(join(tmpdir(), "soilco2-widget-")), "widget");
    try {
      expect(await widgetStaleness(dir)).toBe("not built yet");
      expect((await ensureWidget(dir)).state).toBe("built");
      expect(await widgetStaleness(dir)).toBeUndefined();
      expect((await ensureWidget(dir)).state).toBe("up to date");
      // a bundle built before its sources were last changed
      const record = join(dir, "build.json");
      const built = JSON.parse(await readFile(record, "utf8")) as { builtAt: number };
      await writeFile(record, JSON.stringify({ ...built, builtAt: 0 }));
      expect(await widgetStaleness(dir)).toMatch(/ changed$/);
      expect((await ensureWidget(dir)).state).toBe("built");
      expect(await widgetStaleness(dir)).toBeUndefined();
    } finally {
      await rm(dirname(dir), { recursive: true, force: true });
    }
  }, 120_000);

  it("the pinned CDN fallback of /docs is the installed swagger-ui-dist", () => {
    const pkg = createRequire(import.meta.url)("swagger-ui-dist/package.json") as { version: string };
    expect(SWAGGER_UI_CDN.version).toBe(pkg.version);
  });
});
