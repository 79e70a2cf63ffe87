/**
 * Stage the batch inputs once, with DuckDB, out of core: the sites file checked and typed, the drivers sorted by
 * site and day into one Parquet file whose row groups a part can read by site range, and each bad row marked with
 * why (unparseable date, unknown site, unparseable or out-of-range value) so it is counted, never fatal.
 */
import { join } from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { InputError } from "../core/errors.ts";
import type { ModelSchema } from "../core/model-schema.ts";
import { sqlIdent, sqlString } from "../ingest/sql.ts";
import {
  type InputFiles,
  inputColumns,
  inputColumnTypes,
  isNumericType,
  readingInput,
  readSql,
} from "./input-files.ts";

/** Files the staging step writes under `<out>/.staging/`. */
export const STAGING_FILES = { dir: ".staging", drivers: "drivers.parquet", sites: "sites.parquet" } as const;

/** Why a row was set aside (or a value in it turned into a gap). */
export type RowIssue = "no_site" | "bad_date" | "unknown_site" | "value_unparseable" | "value_out_of_range";
/** Issues that drop the row; the value issues keep it with that value as a gap. */
export const DROPPING_ISSUES: readonly RowIssue[] = ["no_site", "bad_date", "unknown_site"];

/** What staging found. */
export interface StagedInput {
  /** Sites with at least one usable driver row, in DuckDB's order, with their usable rows and day span. */
  sites: { site: string; rows: number; firstDay: number; lastDay: number }[];
  /** Sites of the sites file set aside, with why. */
  rejectedSites: { site: string | null; reason: string }[];
  /** Per site (the driver file's site label; "" when missing) and issue: rows counted. */
  issues: { site: string; issue: RowIssue; rows: number }[];
  /** Driver columns of the model found in the drivers input (the others are gaps everywhere). */
  drivers: string[];
}

/** SQL of a number read from any column type (text or numeric). */
const asDouble = (col: string) => `TRY_CAST(${sqlIdent(col)} AS DOUBLE)`;

/**
 * Stage the sites file into `<staging>/sites.parquet`: one row per site, the schema's static attributes as DOUBLE,
 * its categorical attribute as VARCHAR, and `calibration` (JSON text) when the file has it.
 * @throws {InputError} when the file has no `site` column or lacks a column the model requires
 */
async function stageSites(
  con: DuckDBConnection,
  sites: InputFiles,
  schema: ModelSchema,
  stagingDir: string,
): Promise<StagedInput["rejectedSites"]> {
  const cols = await inputColumns(con, sites, "--sites");
  if (!cols.includes("site"))
    throw new InputError("--sites", `${sites.pattern} has no "site" column`, "name the site id column site");
  for (const f of schema.static)
    if (f.gap === "required" && !cols.includes(f.name))
      throw new InputError(
        "--sites",
        `${sites.pattern} has no "${f.name}" column, which this model requires`,
      );
  const numeric = schema.static.map((f) =>
    cols.includes(f.name)
      ? `${asDouble(f.name)} AS ${sqlIdent(f.name)}`
      : `NULL::DOUBLE AS ${sqlIdent(f.name)}`,
  );
  const cat = schema.categorical.name;
  const catSql = cols.includes(cat) ? `NULLIF(CAST(${sqlIdent(cat)} AS VARCHAR), '')` : "NULL::VARCHAR";
  const calSql = cols.includes("calibration") ? "NULLIF(CAST(calibration AS VARCHAR), '')" : "NULL::VARCHAR";
  const unparseable = schema.static
    .filter((f) => cols.includes(f.name))
    .map(
      (f) =>
        `WHEN ${sqlIdent(f.name)} IS NOT NULL AND NULLIF(CAST(${sqlIdent(f.name)} AS VARCHAR), '') IS NOT NULL AND ${asDouble(f.name)} IS NULL THEN '${f.name}: not a number'`,
    )
    .join(" ");
  await readingInput("--sites", sites, () =>
    con.run(`CREATE OR REPLACE TEMP TABLE batch_sites_raw AS
    SELECT NULLIF(CAST(site AS VARCHAR), '') AS site, ${numeric.join(", ")}, ${catSql} AS ${sqlIdent(cat)},
           ${calSql} AS calibration, CASE ${unparseable || "WHEN false THEN ''"} ELSE NULL END AS reason,
           count(*) OVER (PARTITION BY NULLIF(CAST(site AS VARCHAR), '')) AS copies
    FROM ${readSql(sites)}`),
  );
  const rejected = (
    await con.runAndReadAll(`SELECT site, CASE WHEN site IS NULL THEN 'no site id'
        WHEN copies > 1 THEN 'listed ' || copies || ' times in the sites file' ELSE reason END
      FROM batch_sites_raw WHERE site IS NULL OR copies > 1 OR reason IS NOT NULL ORDER BY site`)
  )
    .getRows()
    .map((r) => ({ site: r[0] === null ? null : String(r[0]), reason: String(r[1]) }));
  const seen = new Set<string>();
  const uniq = rejected.filter((r) => {
    const k = `${r.site}\u0000${r.reason}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  await con.run(`CREATE OR REPLACE TEMP TABLE batch_sites AS
    SELECT * EXCLUDE (reason, copies) FROM batch_sites_raw WHERE site IS NOT NULL AND copies = 1 AND reason IS NULL`);
  await con.run(
    `COPY (SELECT * FROM batch_sites ORDER BY site) TO ${sqlString(join(stagingDir, STAGING_FILES.sites))} (FORMAT parquet)`,
  );
  return uniq;
}

/**
 * Stage both inputs under `stagingDir` (see the module comment). Unknown columns are ignored; a driver of the model
 * missing from the drivers input is a gap on every day.
 * @throws {InputError} when the drivers have no `site` or `date` column, or none of the model's drivers
 */
export async function stageInput(
  con: DuckDBConnection,
  drivers: InputFiles,
  sites: InputFiles,
  schema: ModelSchema,
  stagingDir: string,
): Promise<StagedInput> {
  const rejectedSites = await stageSites(con, sites, schema, stagingDir);
  const types = await inputColumnTypes(con, drivers, "--drivers");
  const cols = [...types.keys()];
  for (const need of ["site", "date"])
    if (!cols.includes(need))
      throw new InputError(
        "--drivers",
        `${drivers.pattern} has no "${need}" column`,
        "drivers are long: site, date, drivers",
      );
  const observed = schema.dynamic.filter((f) => f.source === "observed" && cols.includes(f.name));
  if (observed.length === 0)
    throw new InputError(
      "--drivers",
      `${drivers.pattern} has none of the model's drivers`,
      `name columns as the model schema does: ${schema.dynamic
        .filter((f) => f.source === "observed")
        .map((f) => f.name)
        .join(", ")}`,
    );
  // a numeric column cannot hold an unparseable value: only text columns get the (costly) cast back to VARCHAR
  const textual = observed.filter((f) => !isNumericType(types.get(f.name)!));
  const raw = [
    ...observed.map((f) => `${asDouble(f.name)} AS ${sqlIdent(`v_${f.name}`)}`),
    ...textual.map(
      (f) => `NULLIF(CAST(${sqlIdent(f.name)} AS VARCHAR), '') IS NOT NULL AS ${sqlIdent(`g_${f.name}`)}`,
    ),
  ];
  const outOfRange = (f: (typeof observed)[number]) => {
    const v = sqlIdent(`v_${f.name}`);
    return `(${v} IS NOT NULL AND (isnan(${v}) OR isinf(${v}) OR ${v} < ${f.min} OR ${v} > ${f.max}))`;
  };
  const unparseable = textual.map(
    (f) => `(${sqlIdent(`g_${f.name}`)} AND ${sqlIdent(`v_${f.name}`)} IS NULL)`,
  );
  const values = observed.map(
    (f) => `CASE WHEN ${outOfRange(f)} THEN NULL ELSE ${sqlIdent(`v_${f.name}`)} END AS ${sqlIdent(f.name)}`,
  );
  const stagedPath = join(stagingDir, STAGING_FILES.drivers);
  await readingInput("--drivers", drivers, () =>
    con.run(`COPY (
    WITH typed AS (
      SELECT NULLIF(CAST(site AS VARCHAR), '') AS site, TRY_CAST(date AS DATE) AS d, ${raw.join(", ")}
      FROM ${readSql(drivers)}
    )
    SELECT t.site, (t.d - DATE '1970-01-01')::INTEGER AS day, ${values.join(", ")},
      CASE WHEN t.site IS NULL THEN 'no_site' WHEN t.d IS NULL THEN 'bad_date' WHEN s.site IS NULL THEN 'unknown_site'
        WHEN ${unparseable.join(" OR ") || "false"} THEN 'value_unparseable'
        WHEN ${observed.map(outOfRange).join(" OR ")} THEN 'value_out_of_range' ELSE NULL END AS issue
    -- sorted by the site's rank in name order (an integer key sorts in about half the time of the VARCHAR); rows of
    -- unknown sites, which no part reads, go last
    FROM typed t LEFT JOIN (SELECT site, row_number() OVER (ORDER BY site) AS ix FROM batch_sites) s ON t.site = s.site
    ORDER BY s.ix NULLS LAST, day
  ) TO ${sqlString(stagedPath)} (FORMAT parquet, ROW_GROUP_SIZE 61440)`),
  );
  const dropping = DROPPING_ISSUES.map(sqlString).join(", ");
  const issues = (
    await con.runAndReadAll(`SELECT coalesce(site, ''), issue, count(*)::INTEGER FROM read_parquet(${sqlString(stagedPath)})
      WHERE issue IS NOT NULL GROUP BY ALL ORDER BY 1, 2`)
  )
    .getRows()
    .map((r) => ({ site: String(r[0]), issue: String(r[1]) as RowIssue, rows: Number(r[2]) }));
  const siteRows = (
    await con.runAndReadAll(`SELECT site, count(*)::INTEGER, min(day), max(day) FROM read_parquet(${sqlString(stagedPath)})
      WHERE issue IS NULL OR issue NOT IN (${dropping}) GROUP BY site ORDER BY site`)
  )
    .getRows()
    .map((r) => ({ site: String(r[0]), rows: Number(r[1]), firstDay: Number(r[2]), lastDay: Number(r[3]) }));
  const withRows = new Set(siteRows.map((s) => s.site));
  const listed = (await con.runAndReadAll("SELECT site FROM batch_sites ORDER BY site")).getRows();
  for (const [site] of listed)
    if (!withRows.has(String(site)))
      rejectedSites.push({ site: String(site), reason: "no usable driver rows" });
  return { sites: siteRows, rejectedSites, issues, drivers: observed.map((f) => f.name) };
}
