/** The report's site map: land and country borders from Natural Earth (world-atlas, 1:110 m), sites coloured by test KGE. */
import { createRequire } from "node:module";
import { feature, mesh } from "topojson-client";
import type { GeometryCollection, Topology } from "topojson-specification";
import type { TopLevelSpec } from "vega-lite";
import { READABLE, SKILL_FLOOR } from "./charts.ts";

const SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";

let world: { land: unknown[]; borders: unknown } | undefined;

/** Natural Earth 1:110 m land polygons and country borders as GeoJSON (read once from the world-atlas package). */
export function worldGeometry(): { land: unknown[]; borders: unknown } {
  if (world) return world;
  const topo = createRequire(import.meta.url)("world-atlas/countries-110m.json") as Topology<{
    countries: GeometryCollection;
    land: GeometryCollection;
  }>;
  const land = feature(topo, topo.objects.land);
  world = {
    land: "features" in land ? land.features : [land],
    borders: mesh(topo, topo.objects.countries, (a, b) => a !== b),
  };
  return world;
}

/**
 * Sites on a world map (Equal Earth projection: land, country borders, a 30° graticule), coloured by the
 * LSTM's test KGE (floored at {@link SKILL_FLOOR}); a site's neighbours overlap, so points are outlined.
 */
export function siteMapSpec(
  title: string,
  rows: { site: string; latitude: number; longitude: number; kge: number }[],
): TopLevelSpec {
  const { land, borders } = worldGeometry();
  return {
    $schema: SCHEMA,
    title,
    width: 760,
    height: 400,
    projection: { type: "equalEarth" },
    config: { ...READABLE, view: { stroke: null } },
    layer: [
      {
        data: { sphere: true },
        mark: { type: "geoshape", fill: "#eef4f8", stroke: "#999", strokeWidth: 0.5 },
      },
      {
        data: { graticule: { step: [30, 30] } },
        mark: { type: "geoshape", stroke: "#d5dde3", strokeWidth: 0.5, fill: null },
      },
      {
        data: { values: land },
        mark: { type: "geoshape", fill: "#e3e0d8", stroke: "#8a857a", strokeWidth: 0.4 },
      },
      {
        data: { values: [borders] },
        mark: { type: "geoshape", fill: null, stroke: "#b8b2a6", strokeWidth: 0.3 },
      },
      {
        data: { values: rows.map((r) => ({ ...r, shown: Math.max(SKILL_FLOOR, r.kge) })) },
        mark: { type: "circle", size: 55, stroke: "black", strokeWidth: 0.6, opacity: 0.9 },
        encoding: {
          longitude: { field: "longitude", type: "quantitative" },
          latitude: { field: "latitude", type: "quantitative" },
          color: {
            field: "shown",
            type: "quantitative",
            title: ["test KGE", `(floored at ${SKILL_FLOOR})`],
            scale: { scheme: "redyellowblue", domain: [SKILL_FLOOR, 1] },
            legend: { orient: "bottom-left", direction: "horizontal", gradientLength: 160 },
          },
          tooltip: [{ field: "site" }, { field: "kge", format: ".2f", title: "test KGE" }],
        },
      },
    ],
  } as TopLevelSpec;
}
