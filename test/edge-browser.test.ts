// The demo page of `soilco2 serve` (serving's Node server with the /demo mount) in headless Chromium: <soil-co2-chart>
// runs the model on onnxruntime-web in the page and its numbers equal onnxruntime-node's within 1e-4; with `api` it
// asks the server instead; a screenshot is saved; bad input shows a readable message.
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as ortNode from "onnxruntime-node";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stackSites } from "../core/batch.ts";
import { staticWidth } from "../core/model-schema.ts";
import { encodeSite, type SiteRequest } from "../core/request.ts";
import { spinUpSite } from "../core/spin-up.ts";
import { launchChromium } from "../edge/browser-harness.ts";
import { demoMount } from "../edge/demo/demo-app.ts";
import { buildWidget } from "../edge/widget/build-widget.ts";
import { exportRun } from "../export/export-run.ts";
import { readModelDir } from "../model/node/read-model.ts";
import { createOrtPredictor } from "../model/ort-predict.ts";
import { type RunningServer, startServer } from "../serving/node/server.ts";
import { writeSyntheticRun } from "../training/synthetic-run.ts";
import { assertParity } from "./helpers/parity-case.ts";

const SITE_FILE = new URL("../edge/demo/site-d20200305_VARGAS.json", import.meta.url);
const SCREENSHOTS = new URL("../test-results/", import.meta.url).pathname;

const root = await mkdtemp(join(tmpdir(), "soilco2-edge-browser-"));
let browser: Browser;
let page: Page;
let server: RunningServer;
let origin: string;
let expected: Float32Array;

beforeAll(async () => {
  const modelDir = join(root, "models", "soilco2-lstm", "1.0.0");
  await writeSyntheticRun(join(root, "run"), { hidden: 32, seed: 5 });
  await exportRun({ runDir: join(root, "run"), outDir: modelDir, name: "soilco2-lstm", version: "1.0.0" });
  const widgetDir = await buildWidget({ outDir: join(root, "widget") });
  server = await startServer({
    models: join(root, "models"),
    port: 0,
    provider: "cpu",
    threads: 1,
    print: () => {},
    mounts: [demoMount(join(root, "models"), { widgetDir })],
  });
  origin = server.url;
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 900, height: 700 } });

  const model = await readModelDir(modelDir);
  const { site } = JSON.parse(await readFile(SITE_FILE, "utf8")) as { site: SiteRequest };
  // every runtime spins the series up before its first date (core/spin-up.ts)
  const enc = spinUpSite(
    encodeSite(site, model.schema, "sites[0]"),
    model.schema,
    model.schema.warmupDays,
    "mirror",
  );
  const node = await createOrtPredictor(ortNode, model.modelBytes);
  const y = await node.predict(stackSites([enc], model.schema.dynamic.length, staticWidth(model.schema)));
  expected = Float32Array.from(enc.rows, (r) => y[r]!);
  await node.release();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await rm(root, { recursive: true, force: true });
});

/** Wait until the element leaves `loading`; returns its state, message and numbers. */
async function settle(selector: string) {
  await page.waitForFunction(
    (sel) => ["ready", "error"].includes(document.querySelector<HTMLElement>(sel)?.dataset.state ?? ""),
    selector,
    { timeout: 20_000 },
  );
  return page.evaluate((sel) => {
    const el = document.querySelector(sel) as HTMLElement & {
      predictions?: { dates: string[]; values: number[]; observed?: (number | null)[]; via: string };
      error?: string;
    };
    const box = el.shadowRoot?.querySelector(".error, .status");
    return {
      state: el.dataset.state,
      error: el.error,
      shown: box?.textContent ?? "",
      role: box?.getAttribute("role"),
      predictions: el.predictions,
      canvas: el.shadowRoot?.querySelectorAll("canvas").length ?? 0,
    };
  }, selector);
}

/** Add an element to the page and wait for it to settle. */
async function mount(html: string) {
  const id = `el-${Math.random().toString(36).slice(2)}`;
  await page.evaluate(
    ([markup, elId]) => {
      const t = document.createElement("template");
      t.innerHTML = markup!;
      const el = t.content.firstElementChild!;
      el.id = elId!;
      document.body.append(el);
      el.scrollIntoView(); // the element loads when it becomes visible
    },
    [html, id],
  );
  return settle(`#${id}`);
}

describe("demo page in headless Chromium", () => {
  it("draws the site-year with numbers equal to onnxruntime-node", async () => {
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${origin}/demo/`);
    const r = await settle("#demo-chart");
    expect(r.error).toBeUndefined();
    expect(r.state).toBe("ready");
    expect(r.canvas).toBeGreaterThan(0);
    expect(r.predictions?.via).toBe("local");
    expect(r.predictions?.dates).toHaveLength(365);
    expect(r.predictions?.observed?.filter((v) => v !== null).length).toBe(364);
    const report = assertParity(r.predictions!.values, expected);
    console.log(
      `browser vs onnxruntime-node: ${report.values} values, max abs ${report.maxAbs.toExponential(2)}`,
    );
    await mkdir(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, "edge-demo.png"), fullPage: true });
    expect(errors).toEqual([]);
  });

  it("with `api`, draws the server's /v1/predict answer (onnxruntime-node) for the same site", async () => {
    const r = await mount(
      `<soil-co2-chart api="${origin}" src="site-d20200305_VARGAS.json"></soil-co2-chart>`,
    );
    expect(r.error).toBeUndefined();
    expect(r.predictions?.via).toBe("api");
    assertParity(r.predictions!.values, expected);
  });

  it("with `api`, shows the server's refusal of a wrong date", async () => {
    const site = { static: { latitude: 45 }, start: "2007-13-01", drivers: { tsoil_mean: [5, 6] } };
    const r = await mount(
      `<soil-co2-chart api="${origin}"><script type="application/json">${JSON.stringify({ site })}</script></soil-co2-chart>`,
    );
    expect(r.state).toBe("error");
    expect(r.shown).toMatch(/sites\[0\]\.start/);
  });

  it("says what is missing when no drivers are given (element made with createElement)", async () => {
    await page.evaluate(() => {
      const el = document.createElement("soil-co2-chart");
      el.id = "created";
      document.body.append(el);
      el.scrollIntoView();
    });
    const r = await settle("#created");
    expect(r.state).toBe("error");
    expect(r.role).toBe("alert");
    expect(r.shown).toMatch(/drivers: missing/);
  });

  it("names a wrong date", async () => {
    const site = { static: { latitude: 45 }, start: "2007-02-30", drivers: { tsoil_mean: [5, 6] } };
    const r = await mount(
      `<soil-co2-chart><script type="application/json">${JSON.stringify({ site })}</script></soil-co2-chart>`,
    );
    expect(r.state).toBe("error");
    expect(r.shown).toMatch(/sites\[0\]\.start/);
    expect(r.shown).toMatch(/date/i);
  });

  it("says an unreachable model URL could not be reached", async () => {
    const r = await mount(
      `<soil-co2-chart model="http://127.0.0.1:9/nowhere/" src="${origin}/demo/site-d20200305_VARGAS.json"></soil-co2-chart>`,
    );
    expect(r.state).toBe("error");
    expect(r.shown).toMatch(/127\.0\.0\.1:9\/nowhere\/manifest\.json: could not be reached/);
  });

  it("refuses a model whose schema it does not understand", async () => {
    await page.route("http://models.test/future/**", (route) =>
      route.fulfill({
        status: 200,
        contentType: "application/json",
        headers: { "access-control-allow-origin": "*" },
        body: JSON.stringify({ format: "soilco2-model-manifest", manifestVersion: 99 }),
      }),
    );
    const r = await mount(
      `<soil-co2-chart model="http://models.test/future/" src="${origin}/demo/site-d20200305_VARGAS.json"></soil-co2-chart>`,
    );
    expect(r.state).toBe("error");
    expect(r.shown).toMatch(/manifest version 99 not understood/);
  });

  it("reads drivers from a CSV file and draws observed values from the observed column", async () => {
    const csv =
      "date,tsoil_mean,swc_mean,latitude,igbp,observed\n2007-06-01,14.5,0.2,33.8,MF,2.1\n2007-06-02,15,,33.8,MF,\n";
    await page.route("http://data.test/drivers.csv", (route) =>
      route.fulfill({
        status: 200,
        contentType: "text/csv",
        headers: { "access-control-allow-origin": "*" },
        body: csv,
      }),
    );
    const r = await mount('<soil-co2-chart src="http://data.test/drivers.csv"></soil-co2-chart>');
    expect(r.error).toBeUndefined();
    expect(r.predictions?.dates).toEqual(["2007-06-01", "2007-06-02"]);
    expect(r.predictions?.observed).toEqual([2.1, null]);
  });
});
