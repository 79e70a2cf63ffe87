/** Write edge/demo/site-<id>.json, the demo's real-site drivers and observed efflux, from the ingest output: `tsx edge/demo/make-demo-site.ts [out/daily] [site] [year]`. */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DuckDBInstance } from "@duckdb/node-api";
import { COSORE_CITATION } from "../../core/daily-table.ts";
import { dayNumber } from "../../core/dates.ts";
import { DYNAMIC_FEATURES, TARGET } from "../../core/features.ts";
import { DEFAULT_STATIC } from "../../core/make-schema.ts";
import type { SiteRequest } from "../../core/request.ts";

/** The demo file: a predict-request site, the observed efflux on the same days, and where the data came from. */
export interface DemoSite {
  site: SiteRequest;
  observed: (number | null)[];
  source: {
    dataset: string;
    siteName: string;
    primaryPublication: string | null;
    data: string;
    license: string;
  };
}

const round = (v: unknown, digits = 4) =>
  v === null || v === undefined ? null : Number(Number(v).toFixed(digits));

/**
 * Read one calendar year of one site from `daily.parquet` / `sites.parquet`; drivers or attributes that are all
 * missing are left out of the request (the model sees them as gaps).
 */
export async function readDemoSite(dailyDir: string, siteId: string, year: number): Promise<DemoSite> {
  const db = await DuckDBInstance.create();
  const c = await db.connect();
  const q = async (sql: string, params: unknown[]) =>
    (await c.runAndReadAll(sql, params as never)).getRowObjectsJS() as Record<string, unknown>[];
  const [meta] = await q(`select * from read_parquet('${join(dailyDir, "sites.parquet")}') where site = $1`, [
    siteId,
  ]);
  if (!meta) throw new Error(`site ${siteId} not in ${dailyDir}/sites.parquet`);
  const rows = await q(
    `select strftime(date, '%Y-%m-%d') as day, * from read_parquet('${join(dailyDir, "daily.parquet")}')
     where site = $1 and year(date) = $2 order by date`,
    [siteId, year],
  );
  const drivers: Record<string, (number | null)[]> = {};
  for (const f of DYNAMIC_FEATURES.filter((d) => d.source === "observed")) {
    const values = rows.map((r) => round(r[f.name]));
    if (values.some((v) => v !== null)) drivers[f.name] = values;
  }
  const stat: SiteRequest["static"] = {};
  // attributes sites.parquet has; the site's own efflux statistics (flux_ref, ...) are left out: the chart compares
  // the prediction with this site's measurements, which those would be computed from
  for (const name of DEFAULT_STATIC)
    if (!name.startsWith("flux_") && meta[name] !== null && meta[name] !== undefined)
      stat[name] = round(meta[name]);
  if (meta.igbp) stat.igbp = String(meta.igbp);
  const dates = rows.map((r) => String(r.day));
  const consecutive = dates.every((d, i) => i === 0 || dayNumber(d)! === dayNumber(dates[i - 1]!)! + 1);
  return {
    site: { id: siteId, static: stat, ...(consecutive ? { start: dates[0] } : { dates }), drivers },
    observed: rows.map((r) => round(r[TARGET.name])),
    source: {
      dataset: siteId,
      siteName: String(meta.site_name),
      primaryPublication: meta.primary_pub ? String(meta.primary_pub) : null,
      data: COSORE_CITATION,
      license: "CC BY 4.0",
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [dailyDir = "out/daily", siteId = "d20200305_VARGAS", year = "2007"] = process.argv.slice(2);
  const demo = await readDemoSite(dailyDir, siteId, Number(year));
  const out = fileURLToPath(new URL(`./site-${siteId}.json`, import.meta.url));
  await writeFile(out, `${JSON.stringify(demo)}\n`);
  console.log(`${out}: ${demo.observed.length} days, drivers ${Object.keys(demo.site.drivers).join(", ")}`);
}
