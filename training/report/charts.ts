/** Vega-Lite specs for the report's figures (pure functions from rows to specs; render with render-chart.ts). */
import type { TopLevelSpec } from "vega-lite";

const SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";
/** Skill values below this are drawn at it (NSE can reach −300 on flat test periods). */
export const SKILL_FLOOR = -1;

/** Observed daily efflux and the models' predictions for one site; `split` marks train/val/test days. */
export function timeSeriesSpec(
  title: string,
  rows: { date: string; series: string; value: number }[],
  testStart: string | null,
): TopLevelSpec {
  const layers: unknown[] = [
    {
      data: { values: rows.filter((r) => r.series !== "observed") },
      mark: { type: "line", strokeWidth: 1.2, clip: true },
      encoding: {
        x: { field: "date", type: "temporal", title: null },
        y: { field: "value", type: "quantitative", title: "efflux (µmol CO2 m-2 s-1)" },
        color: { field: "series", type: "nominal", title: null },
      },
    },
    {
      data: { values: rows.filter((r) => r.series === "observed") },
      mark: { type: "point", size: 9, filled: true, color: "black", opacity: 0.6 },
      encoding: { x: { field: "date", type: "temporal" }, y: { field: "value", type: "quantitative" } },
    },
  ];
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
  return { $schema: SCHEMA, title, width: 720, height: 180, layer: layers } as TopLevelSpec;
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
    facet: { column: { field: "metric", type: "nominal", title: null } },
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
      row: { field: "set", type: "nominal", title: null },
      column: { field: "metric", type: "nominal", title: null },
    },
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

/** Sites on a world graticule, coloured by the LSTM's test KGE. */
export function siteMapSpec(
  title: string,
  rows: { site: string; latitude: number; longitude: number; kge: number }[],
): TopLevelSpec {
  return {
    $schema: SCHEMA,
    title,
    width: 720,
    height: 380,
    projection: { type: "equalEarth" },
    layer: [
      {
        data: { graticule: { step: [30, 30] } },
        mark: { type: "geoshape", stroke: "#ccc", strokeWidth: 0.5, fill: null },
      },
      { data: { sphere: true }, mark: { type: "geoshape", stroke: "#999", fill: null } },
      {
        data: { values: rows.map((r) => ({ ...r, shown: Math.max(SKILL_FLOOR, r.kge) })) },
        mark: { type: "circle", size: 60, stroke: "black", strokeWidth: 0.5 },
        encoding: {
          longitude: { field: "longitude", type: "quantitative" },
          latitude: { field: "latitude", type: "quantitative" },
          color: {
            field: "shown",
            type: "quantitative",
            title: "test KGE",
            scale: { scheme: "redyellowblue", domain: [-1, 1] },
          },
        },
      },
    ],
  } as TopLevelSpec;
}

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
    mark: { type: "line", point: true },
    encoding: {
      x: { field: "epoch", type: "quantitative" },
      y: { field: "loss", type: "quantitative", title: "loss (NSE-weighted MSE)" },
      color: { field: "split", type: "nominal", title: null },
    },
  } as TopLevelSpec;
}
