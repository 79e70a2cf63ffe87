/** sites.parquet: one row per kept dataset with coordinates, IGBP code, climate, driver depths and its span in daily.parquet. */
import type { DuckDBConnection } from "@duckdb/node-api";
import { SITE_COLUMNS, type SiteColumn } from "../core/daily-table.ts";
import { igbpCode } from "./igbp.ts";
import type { DatasetDescription, SiteClimate } from "./release.ts";
import type { DatasetReport } from "./report.ts";
import { exec, sqlIdent, sqlString } from "./sql.ts";

/** Name of the DuckDB table {@link buildSitesTable} creates (SITE_COLUMNS, in order). */
export const SITES_TABLE = "sites";

function lit(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return "NULL";
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : "NULL";
  return sqlString(v);
}

/**
 * Create {@link SITES_TABLE} for the kept datasets of `reports`: static attributes from description.csv
 * (IGBP label mapped by ingest/igbp.ts, NULL if unknown) and ancillary MAT/MAP, the depths of the soil
 * temperature and moisture used, and first/last date and flux days from the final `daily` table.
 */
export async function buildSitesTable(
  con: DuckDBConnection,
  daily: string,
  reports: readonly DatasetReport[],
  descriptions: ReadonlyMap<string, DatasetDescription>,
  climate: ReadonlyMap<string, SiteClimate>,
): Promise<void> {
  const meta: Record<Exclude<SiteColumn, "first_date" | "last_date" | "flux_days">, string> = {
    site: "VARCHAR",
    site_name: "VARCHAR",
    latitude: "DOUBLE",
    longitude: "DOUBLE",
    elevation: "DOUBLE",
    timezone: "VARCHAR",
    igbp: "VARCHAR",
    igbp_label: "VARCHAR",
    mat: "DOUBLE",
    map: "DOUBLE",
    tsoil_depth_cm: "DOUBLE",
    swc_depth_cm: "DOUBLE",
    primary_pub: "VARCHAR",
  };
  const names = Object.keys(meta) as (keyof typeof meta)[];
  await exec(
    con,
    `CREATE OR REPLACE TABLE site_meta (${names.map((n) => `${sqlIdent(n)} ${meta[n]}`).join(", ")})`,
  );
  const rows: string[] = [];
  for (const r of reports) {
    if (r.status !== "kept") continue;
    const d = descriptions.get(r.dataset);
    const c = climate.get(r.dataset);
    const igbp = igbpCode(d?.igbpLabel);
    if (!igbp) r.warnings.push(`IGBP label ${JSON.stringify(d?.igbpLabel ?? null)} not mapped: igbp is NULL`);
    const v: Record<keyof typeof meta, string | number | null | undefined> = {
      site: r.dataset,
      site_name: d?.siteName,
      latitude: d?.latitude,
      longitude: d?.longitude,
      elevation: d?.elevation,
      timezone: d?.timezone,
      igbp,
      igbp_label: d?.igbpLabel,
      mat: c?.mat,
      map: c?.map,
      tsoil_depth_cm: r.drivers.tsoil.depth_cm,
      swc_depth_cm: r.drivers.swc.depth_cm,
      primary_pub: d?.primaryPub,
    };
    rows.push(`(${names.map((n) => lit(v[n])).join(", ")})`);
  }
  if (rows.length > 0) await exec(con, `INSERT INTO site_meta VALUES ${rows.join(", ")}`);
  const expr: Record<SiteColumn, string> = {
    ...(Object.fromEntries(names.map((n) => [n, `m.${sqlIdent(n)}`])) as Record<keyof typeof meta, string>),
    first_date: "a.first_date",
    last_date: "a.last_date",
    flux_days: "coalesce(a.flux_days, 0)::INTEGER",
  };
  await exec(
    con,
    `CREATE OR REPLACE TABLE ${SITES_TABLE} AS
     SELECT ${(Object.keys(SITE_COLUMNS) as SiteColumn[]).map((k) => `${expr[k]} AS ${sqlIdent(k)}`).join(", ")}
     FROM site_meta m LEFT JOIN (SELECT site, min(date) AS first_date, max(date) AS last_date,
                                        count(flux_mean) AS flux_days FROM ${daily} GROUP BY site) a USING (site)`,
  );
}
