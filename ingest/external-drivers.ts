/** External daily drivers (CSV or Parquet: site, date, driver columns) merged into the daily table beside, into gaps, or instead of in-situ values. */
import { existsSync, statSync } from "node:fs";
import type { DuckDBConnection } from "@duckdb/node-api";
import { DAILY_COLUMNS, type DailyColumn } from "../core/daily-table.ts";
import { InputError } from "../core/errors.ts";
import { findFeature } from "../core/features.ts";
import { EXTERNAL_DRIVER_COLUMNS, type ExternalDriverColumn } from "./qa-thresholds.ts";
import type { ExternalReport } from "./report.ts";
import { exec, num, queryRows, sqlIdent, sqlString } from "./sql.ts";

/** How external drivers meet in-situ ones. */
export const DRIVERS_MODES = ["beside", "fill", "replace"] as const;
export type DriversMode = (typeof DRIVERS_MODES)[number];

/** The value whose source decides its group's `_n` (tsoil_n follows tsoil_mean). */
const GROUP_MAIN: Partial<Record<DailyColumn, ExternalDriverColumn>> = {
  tsoil_n: "tsoil_mean",
  swc_n: "swc_mean",
  tair_n: "tair_mean",
  precip_n: "precip_sum",
};

/** Table holding the validated external drivers: (site, date, <col>, <col>__n) one row per site and date. */
export const EXTERNAL_TABLE = "ext_drivers";

/** Fail early (before any work) when the external-driver file is missing. */
export function checkExternalFile(file: string): void {
  if (!existsSync(file) || !statSync(file).isFile())
    throw new InputError(
      "--external-drivers",
      `${file} not found`,
      "give a CSV or Parquet file (see docs/ingest.md)",
    );
}

function readerSql(file: string): string {
  return /\.parquet$/i.test(file)
    ? `read_parquet(${sqlString(file)})`
    : `read_csv(${sqlString(file)}, all_varchar = true, header = true, nullstr = ['NA', ''])`;
}

/**
 * Column names of the external-driver table; throws {@link InputError} if it cannot be read or lacks
 * `site` or `date`. Called before any dataset is processed.
 */
export async function readExternalColumns(con: DuckDBConnection, file: string): Promise<string[]> {
  let cols: string[];
  try {
    cols = (await queryRows(con, `DESCRIBE SELECT * FROM ${readerSql(file)}`)).map((r) =>
      String(r.column_name),
    );
  } catch (err) {
    throw new InputError(
      "--external-drivers",
      `${file} cannot be read: ${(err as Error).message.split("\n")[0]}`,
    );
  }
  for (const need of ["site", "date"])
    if (!cols.includes(need))
      throw new InputError("--external-drivers", `${file} has no '${need}' column`, "see docs/ingest.md");
  return cols;
}

/**
 * Read and validate the external-driver table (columns from {@link readExternalColumns}) into
 * {@link EXTERNAL_TABLE}. Rows with a bad date or a site that is not in `sites` are ignored; non-numeric or
 * out-of-range values (core/features.ts) become NULL; duplicate site-days are averaged. Everything is
 * counted in the returned report.
 */
export async function loadExternalDrivers(
  con: DuckDBConnection,
  file: string,
  cols: readonly string[],
  mode: DriversMode,
  sites: ReadonlySet<string>,
): Promise<ExternalReport> {
  const reader = readerSql(file);
  const used = EXTERNAL_DRIVER_COLUMNS.filter((c) => cols.includes(c));
  const unknown = cols.filter(
    (c) => c !== "site" && c !== "date" && !used.includes(c as ExternalDriverColumn),
  );
  const siteList = [...sites].map(sqlString).join(", ") || "NULL";
  const value = (c: ExternalDriverColumn) => {
    const f = findFeature(c);
    return `CASE WHEN ${c}_x BETWEEN ${f?.min} AND ${f?.max} THEN ${c}_x END`;
  };
  await exec(
    con,
    `CREATE OR REPLACE TABLE ext_rows AS
     SELECT trim(site::VARCHAR) AS site, trim(date::VARCHAR) AS date_raw,
       CASE WHEN regexp_full_match(trim(date::VARCHAR), '\\d{4}-\\d{2}-\\d{2}') THEN try_cast(trim(date::VARCHAR) AS DATE) END AS date
       ${used.map((c) => `, ${sqlIdent(c)}::VARCHAR AS ${c}_raw, try_cast(${sqlIdent(c)}::VARCHAR AS DOUBLE) AS ${c}_x`).join("")}
     FROM ${reader}`,
  );
  const counts = (
    await queryRows(
      con,
      `SELECT count(*) AS rows, count(*) FILTER (WHERE date IS NULL) AS bad_date,
        count(*) FILTER (WHERE date IS NOT NULL AND (site IS NULL OR site NOT IN (${siteList}))) AS unknown_site,
        ${
          used
            .map(
              (c) =>
                `count(*) FILTER (WHERE ${c}_raw IS NOT NULL AND NOT coalesce(isfinite(${c}_x), false)) AS nn_${c},
                 count(*) FILTER (WHERE isfinite(${c}_x) AND ${value(c)} IS NULL) AS oor_${c}`,
            )
            .join(", ") || "0 AS none"
        }
       FROM ext_rows`,
    )
  )[0];
  const good = `date IS NOT NULL AND site IN (${siteList})`;
  await exec(
    con,
    `CREATE OR REPLACE TABLE ${EXTERNAL_TABLE} AS
     SELECT site, date, count(*) AS rows_n
       ${used.map((c) => `, avg(${value(c)} ORDER BY ${value(c)}) AS ${c}, count(${value(c)})::INTEGER AS ${c}__n`).join("")}
     FROM ext_rows WHERE ${good} GROUP BY site, date`,
  );
  const agg = (
    await queryRows(con, `SELECT count(*) AS days, coalesce(sum(rows_n), 0) AS rows FROM ${EXTERNAL_TABLE}`)
  )[0];
  const sum = (prefix: string) => used.reduce((a, c) => a + num(counts?.[`${prefix}_${c}`]), 0);
  return {
    file,
    mode,
    rows_read: num(counts?.rows),
    rows_used: num(agg?.rows),
    columns_used: [...used],
    unknown_columns: unknown,
    days_added: 0,
    values_applied: {},
    rule_counts: {
      ext_unknown_site: num(counts?.unknown_site),
      ext_unknown_column: unknown.length,
      ext_bad_date: num(counts?.bad_date),
      ext_non_numeric: sum("nn"),
      ext_out_of_range: sum("oor"),
      ext_duplicate: num(agg?.rows) - num(agg?.days),
    },
  };
}

/**
 * SELECT producing the final daily table from `insitu` (DAILY_COLUMNS) and {@link EXTERNAL_TABLE}:
 * a full outer join on (site, date), so external days outside the chamber period become rows with NULL flux.
 * - beside: in-situ columns unchanged, plus `ext_<name>` per external column;
 * - fill: `<name>` = in-situ, else external, with `<name>_source` ('insitu' | 'external');
 * - replace: `<name>` = external only, with `<name>_source` ('external' or NULL).
 * In fill and replace modes a group's `_n` counts the records behind its value: in-situ records, or external
 * rows when the value came from the external table.
 */
export function mergeExternalSql(
  insitu: string,
  mode: DriversMode,
  used: readonly ExternalDriverColumn[],
): string {
  const has = (c: string) => (used as readonly string[]).includes(c);
  const out: string[] = [];
  for (const col of Object.keys(DAILY_COLUMNS) as DailyColumn[]) {
    const i = `i.${col}`;
    if (col === "site" || col === "date") out.push(`coalesce(${i}, e.${col}) AS ${col}`);
    else if (col === "flux_mean") out.push(`${i} AS ${col}`);
    else if (col.endsWith("_n") || col === "flux_ports" || col === "flux_hours") {
      const main = GROUP_MAIN[col];
      if (mode === "beside" || !main || !has(main)) out.push(`coalesce(${i}, 0)::INTEGER AS ${col}`);
      else if (mode === "fill")
        out.push(
          `(CASE WHEN i.${main} IS NOT NULL THEN ${i} WHEN e.${main} IS NOT NULL THEN e.${main}__n ELSE 0 END)::INTEGER AS ${col}`,
        );
      else out.push(`coalesce(e.${main}__n, 0)::INTEGER AS ${col}`);
    } else if (mode === "beside" || !has(col)) out.push(`${i} AS ${col}`);
    else if (mode === "fill") out.push(`coalesce(${i}, e.${col}) AS ${col}`);
    else out.push(`e.${col} AS ${col}`);
  }
  for (const c of used) {
    if (mode === "beside") out.push(`e.${c} AS ext_${c}`);
    else if (mode === "fill")
      out.push(
        `CASE WHEN i.${c} IS NOT NULL THEN 'insitu' WHEN e.${c} IS NOT NULL THEN 'external' END AS ${c}_source`,
      );
    else out.push(`CASE WHEN e.${c} IS NOT NULL THEN 'external' END AS ${c}_source`);
  }
  return `SELECT ${out.join(", ")}
    FROM ${insitu} i FULL OUTER JOIN ${EXTERNAL_TABLE} e ON i.site = e.site AND i.date = e.date`;
}

/** Fill in days_added and values_applied once the merged table `merged` exists. */
export async function completeExternalReport(
  con: DuckDBConnection,
  insitu: string,
  merged: string,
  report: ExternalReport,
): Promise<void> {
  const added = await queryRows(
    con,
    `SELECT count(*) AS n FROM ${EXTERNAL_TABLE} e ANTI JOIN ${insitu} i ON i.site = e.site AND i.date = e.date`,
  );
  report.days_added = num(added[0]?.n);
  for (const c of report.columns_used) {
    const sql =
      report.mode === "beside"
        ? `SELECT count(ext_${c}) AS n FROM ${merged}`
        : `SELECT count(*) AS n FROM ${merged} WHERE ${c}_source = 'external'`;
    report.values_applied[c] = num((await queryRows(con, sql))[0]?.n);
  }
}
