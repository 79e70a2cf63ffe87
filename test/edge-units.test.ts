// Small edge pieces checked by hand: thread choice, drivers files (JSON, CSV), model fetch errors, demo routes, plans.
import { describe, expect, it } from "vitest";
import { ArtefactError, InputError } from "../core/errors.ts";
import { planFit } from "../edge/build.ts";
import { createDemoApp } from "../edge/demo/demo-app.ts";
import { fetchModelFiles } from "../edge/model-files.ts";
import { defaultNumThreads } from "../edge/ort-web-env.ts";
import { parseDriversCsv } from "../edge/widget/drivers-csv.ts";
import { readDrivers } from "../edge/widget/drivers-input.ts";
import { readableError } from "../edge/widget/readable-error.ts";

/** A fetch answering from a table of URL → body (404 otherwise). */
const fakeFetch =
  (files: Record<string, string>): typeof fetch =>
  async (input) => {
    const body = files[String(input)];
    return new Response(body ?? "missing", { status: body === undefined ? 404 : 200 });
  };

describe("threads", () => {
  it("uses every core only on a cross-origin isolated page", () => {
    expect(defaultNumThreads({ crossOriginIsolated: true, navigator: { hardwareConcurrency: 8 } })).toBe(8);
    expect(defaultNumThreads({ crossOriginIsolated: false, navigator: { hardwareConcurrency: 8 } })).toBe(1);
    expect(defaultNumThreads({})).toBe(1);
  });
});

describe("drivers CSV", () => {
  it("sorts columns into drivers, site attributes and observed values; empty and NA are gaps", () => {
    const r = parseDriversCsv(
      "date,tsoil_mean,swc_mean,latitude,igbp,flux_mean\n2020-01-01,4.5,0.3,45,DBF,1.5\n2020-01-02,,NA,45,DBF,\n",
    );
    expect(r.site).toEqual({
      static: { latitude: 45, igbp: "DBF" },
      dates: ["2020-01-01", "2020-01-02"],
      drivers: { tsoil_mean: [4.5, null], swc_mean: [0.3, null] },
    });
    expect(r.observed).toEqual([1.5, null]);
  });

  it("refuses a file without dates, an unknown column and a value that is not a number", () => {
    expect(() => parseDriversCsv("day,tsoil_mean\n1,2")).toThrow(/no `date` column/);
    expect(() => parseDriversCsv("date,co2\n2020-01-01,400")).toThrow(/column co2: is not a known driver/);
    expect(() => parseDriversCsv("date,tsoil_mean\n2020-01-01,warm")).toThrow(
      /tsoil_mean\[0\]: "warm" is not a number/,
    );
  });
});

describe("drivers sources", () => {
  const site = { static: { latitude: 45 }, start: "2020-01-01", drivers: { tsoil_mean: [4, 5] } };

  it("takes { site, observed }, a predict request or a bare site, from src or inline", async () => {
    const f = fakeFetch({
      "https://x.test/a.json": JSON.stringify({ site, observed: [1, null] }),
      "https://x.test/b.json": JSON.stringify({ sites: [site] }),
    });
    expect(await readDrivers({ src: "a.json", base: "https://x.test/" }, f)).toEqual({
      site,
      observed: [1, null],
    });
    expect((await readDrivers({ src: "https://x.test/b.json" }, f)).site).toEqual(site);
    expect((await readDrivers({ inline: JSON.stringify(site), observed: "[2, 3]" })).observed).toEqual([
      2, 3,
    ]);
  });

  it("says what is wrong: no drivers, bad JSON, no site, unreachable file", async () => {
    await expect(readDrivers({})).rejects.toThrow(InputError);
    await expect(readDrivers({})).rejects.toThrow(/drivers: missing/);
    await expect(readDrivers({ inline: "{oops" })).rejects.toThrow(/not valid JSON/);
    await expect(readDrivers({ inline: '{"x":1}' })).rejects.toThrow(/holds no site with drivers/);
    await expect(readDrivers({ src: "https://x.test/none.json" }, fakeFetch({}))).rejects.toThrow(/HTTP 404/);
  });
});

describe("model directory over HTTP", () => {
  it("names the URL that failed", async () => {
    const err = await fetchModelFiles("https://m.test/model", fakeFetch({})).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ArtefactError);
    expect(readableError(err)).toMatch(/^https:\/\/m\.test\/model\/manifest\.json: answered HTTP 404/);
    const down: typeof fetch = () => Promise.reject(new TypeError("fetch failed"));
    await expect(fetchModelFiles("https://m.test/model/", down)).rejects.toThrow(
      /manifest\.json: could not be reached/,
    );
    await expect(
      fetchModelFiles("https://m.test/model/", fakeFetch({ "https://m.test/model/manifest.json": "<html>" })),
    ).rejects.toThrow(/is not JSON/);
  });

  it("turns errors from elsewhere into one readable sentence", () => {
    expect(readableError(new TypeError("x is undefined"))).toBe("Could not draw the chart: x is undefined");
  });
});

describe("demo mount", () => {
  const app = createDemoApp({ modelDir: "/nonexistent-model", widgetDir: "/nonexistent-widget" });

  it("serves the page and the site file, nothing outside its folders", async () => {
    expect((await app.request("/")).status).toBe(200);
    expect((await app.request("/index.html")).headers.get("content-type")).toMatch(/text\/html/);
    const site = await app.request("/site-d20200305_VARGAS.json");
    expect(((await site.json()) as { site: { id: string } }).site.id).toBe("d20200305_VARGAS");
    expect((await app.request("/widget/..%2F..%2Fpackage.json")).status).toBe(404);
    expect((await app.request("/make-demo-site.ts")).status).toBe(404);
  });

  it("says how to build the widget when it is missing", async () => {
    const r = await app.request("/widget/soil-co2-chart.js");
    expect(r.status).toBe(503);
    expect(await r.text()).toMatch(/npm run build:edge/);
  });
});

describe("Workers plans", () => {
  it("compares the gzip size with the free and paid limits", () => {
    expect(planFit(3_900_000)).toEqual([
      "  Workers Free (3 MB compressed): does NOT fit (3.90 MB)",
      "  Workers Paid (10 MB compressed): fits (3.90 MB)",
    ]);
  });
});
