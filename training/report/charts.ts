/** Vega-Lite specs for the report's figures (pure functions from rows to specs; render with render-chart.ts). */
import type { TopLevelSpec } from "vega-lite";

const SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";
/** Skill values below this are drawn at it (NSE can reach −300 on flat test periods). */
export const SKILL_FLOOR = -1;

/** Labels and legends drawn in full (Vega cuts them at 180 px by default: "Q10 × moisture (pe…"). */
export const READABLE = {
  legend: { labelLimit: 0, titleLimit: 0 },
  axis: { labelLimit: 0, titleLimit: 0 },
  header: { labelLimit: 0 },
} as const;

/**
 * Rows with a `null` value inserted wherever a series skips a day, so lines break at data gaps instead of
 * bridging them (Vega-Lite breaks a path at a null with `invalid: "break-paths-show-path-domains"`).
 */
export function breakAtGaps(
  rows: { date: string; series: string; value: number }[],
): { date: string; series: string; value: number | null }[] {
  const bySeries = new Map<string, { date: string; series: string; value: number }[]>();
  for (const r of rows) bySeries.set(r.series, [...(bySeries.get(r.series) ?? []), r]);
  const out: { date: string; series: string; value: number | null }[] = [];
  const day = (d: string) => Date.parse(`${d}T00:00:00Z`) / 86_400_000;
  for (const [series, list] of bySeries) {
    list.sort((a, b) => a.date.localeCompare(b.date));
    list.forEach((r, i) => {
      const prev = list[i - 1];
      if (prev && day(r.date) - day(prev.date) > 1) {
        const gap = new Date((day(prev.date) + 1) * 86_400_000).toISOString().slice(0, 10);
        out.push({ date: gap, series, value: null });
      }
      out.push(r);
    });
  }
  return out;
}

/**
 * Observed daily efflux and the models' predictions for one site; `testStart` marks the first test day,
 * `warmup` shades the days the network is still warming up (its state starts at zero: not a forecast yet).
 * Lines break at data gaps; the observations have their own legend entry.
 */
export function timeSeriesSpec(
  title: string,
  rows: { date: string; series: string; value: number }[],
  testStart: string | null,
  warmup?: { from: string; to: string },
): TopLevelSpec {
  const models = [...new Set(rows.filter((r) => r.series !== "observed").map((r) => r.series))];
  const color = {
    field: "series",
    type: "nominal",
    title: null,
    scale: {
      domain: [...models, "observed"],
      range: ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd"].slice(0, models.length).concat("#222"),
    },
    legend: { orient: "bottom", direction: "horizontal" },
  };
  const x = { field: "date", type: "temporal", title: null, axis: { format: "%b %Y", labelOverlap: true } };
  const layers: unknown[] = [];
  if (warmup)
    layers.push({
      data: { values: [{ from: warmup.from, to: warmup.to, label: "warm-up" }] },
      layer: [
        {
          mark: { type: "rect", color: "#bbb", opacity: 0.25 },
          encoding: { x: { field: "from", type: "temporal" }, x2: { field: "to" } },
        },
        {
          // below the "test →" label where the test period starts with the series (site cross-validation)
          mark: {
            type: "text",
            align: "left",
            baseline: "top",
            dx: 3,
            dy: warmup.from === testStart ? 14 : 3,
            color: "#555",
          },
          encoding: { x: { field: "from", type: "temporal" }, y: { value: 0 }, text: { field: "label" } },
        },
      ],
    });
  layers.push(
    {
      data: { values: breakAtGaps(rows.filter((r) => r.series !== "observed")) },
      mark: { type: "line", strokeWidth: 1.2, clip: true, invalid: "break-paths-show-path-domains" },
      encoding: {
        x,
        y: { field: "value", type: "quantitative", title: "efflux (µmol CO2 m-2 s-1)" },
        color,
      },
    },
    {
      data: { values: rows.filter((r) => r.series === "observed") },
      mark: { type: "point", size: 9, filled: true, opacity: 0.6 },
      encoding: { x, y: { field: "value", type: "quantitative" }, color },
    },
  );
  if (testStart)
    layers.push({
      data: { values: [{ date: testStart, label: "test →" }] },
      layer: [
        {
          mark: { type: "rule", strokeDash: [4, 3], color: "#888" },
          encoding: { x: { field: "date", type: "temporal" } },
        },
        {
          mark: { type: "text", align: "left", dx: 3, dy: -4, color: "#555" },
          encoding: { x: { field: "date", type: "temporal" }, y: { value: 8 }, text: { field: "label" } },
        },
      ],
    });
  return { $schema: SCHEMA, title, width: 720, height: 180, layer: layers, config: READABLE } as TopLevelSpec;
}

/** Distribution of per-site test skill by model, one panel per metric. */
export function skillDistributionSpec(
  title: string,
  rows: { model: string; metric: string; value: number }[],
): TopLevelSpec {
  return {
    $schema: SCHEMA,
    title,
    data: { values: rows.map((r) => ({ ...r, shown: Math.max(SKILL_FLOOR, r.value) })) },
    facet: { column: { field: "metric", type: "nominal", title: null, header: { labelFontSize: 13 } } },
    config: READABLE,
    spec: {
      width: 300,
      height: 220,
      layer: [
        {
          mark: { type: "boxplot", extent: "min-max", opacity: 0.5 },
          encoding: {
            x: { field: "model", type: "nominal", title: null, axis: { labelAngle: -30 } },
            y: { field: "shown", type: "quantitative", title: `per-site value (floored at ${SKILL_FLOOR})` },
            color: { field: "model", type: "nominal", legend: null },
          },
        },
        {
          mark: { type: "tick", opacity: 0.6 },
          encoding: {
            x: { field: "model", type: "nominal" },
            y: { field: "shown", type: "quantitative" },
            color: { field: "model", type: "nominal", legend: null },
          },
        },
      ],
    },
  } as TopLevelSpec;
}

/** Median test KGE and NSE of every model, per comparison set. */
export function medianBarsSpec(
  title: string,
  rows: { set: string; model: string; metric: string; value: number }[],
): TopLevelSpec {
  return {
    $schema: SCHEMA,
    title,
    data: { values: rows },
    facet: {
      // set names are long: read across above each row, not rotated beside it
      row: {
        field: "set",
        type: "nominal",
        title: null,
        sort: null,
        header: {
          labelAngle: 0,
          labelOrient: "top",
          labelAlign: "left",
          labelAnchor: "start",
          labelFontWeight: "bold",
        },
      },
      column: { field: "metric", type: "nominal", title: null, header: { labelFontSize: 13 } },
    },
    config: READABLE,
    spec: {
      width: 260,
      height: 120,
      mark: "bar",
      encoding: {
        y: { field: "model", type: "nominal", title: null },
        x: { field: "value", type: "quantitative", title: "median over sites" },
        color: { field: "model", type: "nominal", legend: null },
      },
    },
  } as TopLevelSpec;
}

export { siteMapSpec } from "./site-map.ts";

/** Per-site KGE of the LSTM against a baseline, with the 1:1 line. */
export function versusSpec(
  title: string,
  xLabel: string,
  rows: { site: string; lstm: number; baseline: number }[],
): TopLevelSpec {
  const clip = (v: number) => Math.max(SKILL_FLOOR, v);
  return {
    $schema: SCHEMA,
    title,
    width: 320,
    height: 320,
    config: READABLE,
    layer: [
      {
        data: { values: [{ a: SKILL_FLOOR }, { a: 1 }] },
        mark: { type: "line", color: "#999", strokeDash: [4, 3] },
        encoding: { x: { field: "a", type: "quantitative" }, y: { field: "a", type: "quantitative" } },
      },
      {
        data: { values: rows.map((r) => ({ site: r.site, lstm: clip(r.lstm), baseline: clip(r.baseline) })) },
        mark: { type: "circle", size: 40 },
        encoding: {
          x: { field: "baseline", type: "quantitative", title: xLabel, scale: { domain: [SKILL_FLOOR, 1] } },
          y: {
            field: "lstm",
            type: "quantitative",
            title: "LSTM test KGE",
            scale: { domain: [SKILL_FLOOR, 1] },
          },
          tooltip: { field: "site" },
        },
      },
    ],
  } as TopLevelSpec;
}

/** Training and validation loss per epoch. */
export function lossCurveSpec(
  title: string,
  rows: { epoch: number; loss: number; split: string }[],
): TopLevelSpec {
  return {
    $schema: SCHEMA,
    title,
    width: 420,
    height: 200,
    data: { values: rows },
    config: READABLE,
    mark: { type: "line", point: true },
    encoding: {
      x: { field: "epoch", type: "quantitative", axis: { tickMinStep: 1 } },
      y: { field: "loss", type: "quantitative", title: "loss (NSE-weighted MSE)" },
      color: {
        field: "split",
        type: "nominal",
        title: null,
        legend: { orient: "bottom", direction: "horizontal" },
      },
    },
  } as TopLevelSpec;
}
