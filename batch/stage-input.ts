/**
 * Stage the batch inputs once per job, with DuckDB, out of core: the sites file checked and typed, the drivers
 * sorted by site rank and day into one Parquet file (`ix`, `day`, the drivers as FLOAT, NaN for a gap, `issue`
 * code) whose row groups a part can read by rank range, and each bad row marked with why (unparseable date,
 * unknown site, unparseable or out-of-range value) so it is counted, never fatal. The drivers input is read twice:
 * once for its distinct site labels (their ranks), once to stage the rows; inputs must not change while staging.
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

/** Why a row was set aside (or a value in it turned into a gap); staged as its 1-based index in this list. */
export const ROW_ISSUES = [
  "no_site",
  "bad_date",
  "unknown_site",
  "value_unparseable",
  "value_out_of_range",
] as const;
export type RowIssue = (typeof ROW_ISSUES)[number];
/** Issues that drop the row (codes 1–3); the value issues keep it with that value as a gap. */
export const DROPPING_ISSUES: readonly RowIssue[] = ["no_site", "bad_date", "unknown_site"];
/** SQL condition on the staged drivers: a row a part reads (no issue, or only a value turned into a gap). */
export const usableRows = `(issue IS NULL OR issue > ${DROPPING_ISSUES.length})`;

/** What staging found. */
export interface StagedInput {
  /** Sites with at least one usable driver row, in rank order (`ix`: name order), with their usable rows and day span. */
  sites: { site: string; ix: number; rows: number; firstDay: number; lastDay: number }[];
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
 * Check and type the sites file into the temp table `batch_sites`: one row per site, the schema's static attributes
 * as DOUBLE, its categorical attribute as VARCHAR, and `calibration` (JSON text) when the file has it; staged to
 * `<staging>/sites.parquet` with its rank and span once the drivers are (see {@link stageInput}).
 * @throws {InputError} when the file has no `site` column or lacks a column the model requires
 */
async function stageSites(
  con: DuckDBConnection,
  sites: InputFiles,
  schema: ModelSchema,
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
  const rejectedSites = await stageSites(con, sites, schema);
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
  // every site label of the drivers gets a rank: the sites file's sites in name order, then the unknown ones, so
  // the staged rows carry a 4-byte integer instead of the label (the sort moves less than half the bytes)
  const label = "NULLIF(CAST(site AS VARCHAR), '')";
  await readingInput("--drivers", drivers, () =>
    con.run(`CREATE OR REPLACE TEMP TABLE batch_labels AS
      WITH known AS (SELECT site, row_number() OVER (ORDER BY site)::INTEGER AS ix FROM batch_sites)
      SELECT site, ix FROM known
      UNION ALL
      SELECT site, ((SELECT count(*) FROM known) + row_number() OVER (ORDER BY site))::INTEGER FROM (
        SELECT DISTINCT ${label} AS site FROM ${readSql(drivers)}
        WHERE ${label} IS NOT NULL AND ${label} NOT IN (SELECT site FROM known))`),
  );
  // a numeric column cannot hold an unparseable value: only text columns get the (costly) cast back to VARCHAR
  const textual = observed.filter((f) => !isNumericType(types.get(f.name)!));
  const raw = [
    ...observed.map((f) => `${asDouble(f.name)} AS ${sqlIdent(`v_${f.name}`)}`),
    ...textual.map(
      (f) => `NULLIF(CAST(${sqlIdent(f.name)} AS VARCHAR), '') IS NOT NULL AS ${sqlIdent(`g_${f.name}`)}`,
    ),
  ];
  // NaN sorts above every number and ±inf lie outside any range, so BETWEEN alone rejects them; NULL stays a gap.
  // The FLOAT that is staged is checked too, so a bound float32 cannot hold exactly (0.6, say) never lets a value
  // through that core's encoder would then refuse for the whole site; it is cast only once the DOUBLE is in range
  // (a DOUBLE beyond FLOAT's range makes the cast fail, and CASE evaluates its branch only for rows that take it)
  const inRange = (f: (typeof observed)[number]) => {
    const v = sqlIdent(`v_${f.name}`);
    return `(CASE WHEN ${v} BETWEEN ${f.min} AND ${f.max} THEN ${v}::FLOAT::DOUBLE BETWEEN ${f.min} AND ${f.max} ELSE ${v} BETWEEN ${f.min} AND ${f.max} END)`;
  };
  const outOfRange = (f: (typeof observed)[number]) => `NOT ${inRange(f)}`;
  const unparseable = textual.map(
    (f) => `(${sqlIdent(`g_${f.name}`)} AND ${sqlIdent(`v_${f.name}`)} IS NULL)`,
  );
  // staged as FLOAT (the precision the network's float32 input tensor holds anyway) with NaN for a gap, so a part
  // copies the columns out of DuckDB's vectors as they are
  const values = observed.map(
    (f) =>
      `(CASE WHEN ${inRange(f)} THEN ${sqlIdent(`v_${f.name}`)} ELSE 'NaN'::DOUBLE END)::FLOAT AS ${sqlIdent(f.name)}`,
  );
  const code = (i: RowIssue) => ROW_ISSUES.indexOf(i) + 1;
  const stagedPath = join(stagingDir, STAGING_FILES.drivers);
  await readingInput("--drivers", drivers, () =>
    con.run(`COPY (
    WITH typed AS (
      SELECT ${label} AS site, TRY_CAST(date AS DATE) AS d, ${raw.join(", ")}
      FROM ${readSql(drivers)}
    )
    SELECT l.ix, (t.d - DATE '1970-01-01')::INTEGER AS day, ${values.join(", ")},
      (CASE WHEN t.site IS NULL THEN ${code("no_site")} WHEN t.d IS NULL THEN ${code("bad_date")}
        WHEN l.ix > (SELECT count(*) FROM batch_sites) THEN ${code("unknown_site")}
        WHEN ${unparseable.join(" OR ") || "false"} THEN ${code("value_unparseable")}
        WHEN ${observed.map(outOfRange).join(" OR ")} THEN ${code("value_out_of_range")} ELSE NULL END)::UTINYINT AS issue
    -- sorted by rank: a part's sites are a rank range, so it reads only its row groups; unknown sites go last
    FROM typed t LEFT JOIN batch_labels l ON t.site = l.site
    ORDER BY l.ix NULLS LAST, day
  ) TO ${sqlString(stagedPath)} (FORMAT parquet, ROW_GROUP_SIZE 61440)`),
  );
  const staged = `read_parquet(${sqlString(stagedPath)})`;
  const issues = (
    await con.runAndReadAll(`SELECT coalesce(l.site, ''), s.issue, count(*)::INTEGER FROM ${staged} s
      LEFT JOIN batch_labels l ON s.ix = l.ix WHERE s.issue IS NOT NULL GROUP BY ALL ORDER BY 1, 2`)
  )
    .getRows()
    .map((r) => ({ site: String(r[0]), issue: ROW_ISSUES[Number(r[1]) - 1]!, rows: Number(r[2]) }));
  // each site's usable rows and day span, staged with its attributes: a part reads them with its sites
  await con.run(`CREATE OR REPLACE TEMP TABLE batch_spans AS SELECT ix, count(*)::INTEGER AS span_rows,
      min(day) AS span_first, max(day) AS span_last FROM ${staged} WHERE ${usableRows} GROUP BY ix`);
  await con.run(`COPY (SELECT l.ix, s.*, p.span_rows, p.span_first, p.span_last FROM batch_sites s
      JOIN batch_labels l ON s.site = l.site LEFT JOIN batch_spans p ON l.ix = p.ix ORDER BY l.ix)
    TO ${sqlString(join(stagingDir, STAGING_FILES.sites))} (FORMAT parquet)`);
  const siteRows = (
    await con.runAndReadAll(`SELECT l.site, p.ix, p.span_rows, p.span_first, p.span_last FROM batch_spans p
      JOIN batch_labels l ON p.ix = l.ix WHERE p.ix <= (SELECT count(*) FROM batch_sites) ORDER BY p.ix`)
  )
    .getRows()
    .map((r) => ({
      site: String(r[0]),
      ix: Number(r[1]),
      rows: Number(r[2]),
      firstDay: Number(r[3]),
      lastDay: Number(r[4]),
    }));
  const withRows = new Set(siteRows.map((s) => s.site));
  const listed = (await con.runAndReadAll("SELECT site FROM batch_sites ORDER BY site")).getRows();
  for (const [site] of listed)
    if (!withRows.has(String(site)))
      rejectedSites.push({ site: String(site), reason: "no usable driver rows" });
  return { sites: siteRows, rejectedSites, issues, drivers: observed.map((f) => f.name) };
}
