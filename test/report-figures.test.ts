// The report's figures as rendered (SVG, what report.md shows): coastlines on the site map, lines that break at
// data gaps, observations and the warm-up in the per-site legend and plot, facet and legend labels in full.
import { describe, expect, it } from "vitest";
import {
  breakAtGaps,
  lossCurveSpec,
  medianBarsSpec,
  siteMapSpec,
  timeSeriesSpec,
} from "../training/report/charts.ts";
import { renderSvg } from "../training/report/render-chart.ts";

/** Text of every <text> element of an SVG. */
const texts = (svg: string) =>
  [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!.replace(/&amp;/g, "&"));

const day = (d: number) => new Date(Date.UTC(2020, 0, 1 + d)).toISOString().slice(0, 10);

describe("per-site time series", () => {
  const rows: { date: string; series: string; value: number }[] = [];
  for (let d = 0; d < 400; d++) {
    if (d >= 100 && d < 250) continue; // a 150-day gap in the record
    rows.push({ date: day(d), series: "LSTM", value: 1 + Math.sin(d / 30) });
    rows.push({ date: day(d), series: "Q10 × moisture (per site, fitted on training days)", value: 1.2 });
    if (d % 4 === 0) rows.push({ date: day(d), series: "observed", value: 1.1 });
  }

  it("breaks lines at gaps instead of bridging them", async () => {
    const broken = breakAtGaps(rows.filter((r) => r.series === "LSTM"));
    expect(broken.filter((r) => r.value === null)).toEqual([{ date: day(100), series: "LSTM", value: null }]);
    const svg = await renderSvg(timeSeriesSpec("site", rows, day(300), { from: day(0), to: day(89) }));
    // each model line is drawn as two pieces: its path has two "M" (move-to) commands, one per side of the gap
    const pieces = [...svg.matchAll(/aria-roledescription="line mark"[^>]*d="([^"]+)"/g)].map(
      (m) => (m[1]!.match(/M/g) ?? []).length,
    );
    expect(pieces).toEqual([2, 2]);
  });

  it("names the observations and the warm-up, and shows legend labels in full", async () => {
    const svg = await renderSvg(timeSeriesSpec("site", rows, day(300), { from: day(0), to: day(89) }));
    const t = texts(svg);
    expect(t).toContain("observed");
    expect(t).toContain("Q10 × moisture (per site, fitted on training days)");
    expect(t).toContain("warm-up");
    expect(t.some((s) => s.includes("…"))).toBe(false);
  });
});

describe("site map", () => {
  it("draws land and country borders under the sites", async () => {
    const svg = await renderSvg(
      siteMapSpec("map", [{ site: "harvard", latitude: 42.5, longitude: -72.2, kge: 0.4 }]),
    );
    const land = [...svg.matchAll(/d="([^"]+)"[^>]*fill="#e3e0d8"/g)];
    expect(land.length).toBeGreaterThan(0);
    // the land outline is a real coastline: thousands of vertices, not a graticule's few
    expect(land.reduce((n, m) => n + (m[1]!.match(/L/g) ?? []).length, 0)).toBeGreaterThan(2000);
    expect(svg).toContain("test KGE");
  });
});

describe("medians and loss", () => {
  it("writes the comparison-set names across, in full, and the loss legend in full", async () => {
    const set = "days with soil temperature and moisture, sites with ≥ 60 of them (29 sites)";
    const svg = await renderSvg(
      medianBarsSpec("medians", [
        { set, model: "Seasonal climatology (per site, day-of-year mean)", metric: "KGE", value: 0.3 },
        { set: "all days (61 sites)", model: "LSTM (soilco2)", metric: "KGE", value: 0.4 },
      ]),
    );
    expect(texts(svg)).toContain(set);
    expect(texts(svg)).toContain("Seasonal climatology (per site, day-of-year mean)");
    // the row headers are not rotated beside the rows (where long names overlap)
    const header = new RegExp(
      `<text[^>]*transform="[^"]*rotate\\(-90\\)[^"]*"[^>]*>${set.replace(/[()]/g, "\\$&")}`,
    );
    expect(svg).not.toMatch(header);
    const loss = await renderSvg(
      lossCurveSpec("loss", [
        { epoch: 1, loss: 1, split: "training (NSE-weighted MSE over windows)" },
        { epoch: 1, loss: 1.1, split: "validation" },
      ]),
    );
    expect(texts(loss)).toContain("training (NSE-weighted MSE over windows)");
  });
});
