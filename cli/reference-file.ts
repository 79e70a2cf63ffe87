/** A site's reference statistics (flux_ref, flux_q10, ...) from a CSV or Parquet file of its days: what `soilco2 reference` runs. */
import { access } from "node:fs/promises";
import { dayNumber } from "../core/dates.ts";
import { ArtefactError, InputError } from "../core/errors.ts";
import { answerReferenceRequest, type ReferenceAnswer } from "../core/reference-request.ts";

/** Columns read from the file; `date` and `flux_mean` are required. */
const OPTIONAL = ["tsoil_mean", "swc_mean"] as const;
/** Cells read as gaps in a CSV, as R, pandas and spreadsheets write them. */
const CSV_GAPS = ["", "NA", "NaN", "nan", "null", "NULL", "N/A", "-"];

/** What `soilco2 reference` prints. */
export interface ReferenceReport extends ReferenceAnswer {
  file: string;
  site: string | null;
  from: string | null;
  to: string | null;
}

/**
 * Read one site's days from a CSV or Parquet file (columns `date`, `flux_mean`, optionally `tsoil_mean`, `swc_mean`,
 * and `site` to pick one site, as in ingest's daily.parquet) and compute its reference statistics. Empty and `NA`
 * cells are gaps; a file with several sites needs `site`.
 * @throws {ArtefactError} for a missing file or column, or several sites without `site`; {@link InputError} for a
 *   bad value (naming its date)
 */
export async function referenceFromFile(opts: {
  file: string;
  site?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
}): Promise<ReferenceReport> {
  await access(opts.file).catch(() => {
    throw new ArtefactError(
      opts.file,
      "not found",
      "pass a CSV or Parquet file with date and flux_mean columns",
    );
  });
  for (const d of [opts.from, opts.to])
    if (d !== undefined && dayNumber(d) === undefined)
      throw new InputError("--from/--to", `${JSON.stringify(d)} is not a YYYY-MM-DD date`);
  const path = opts.file.replaceAll("'", "''");
  const nulls = CSV_GAPS.map((g) => `'${g}'`).join(", ");
  const parquet = /\.parquet$/i.test(opts.file);
  let source = parquet ? `read_parquet('${path}')` : `read_csv('${path}', nullstr = [${nulls}])`;
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const db = await DuckDBInstance.create(":memory:");
  const con = await db.connect();
  try {
    const columns = (await con.runAndReadAll(`DESCRIBE SELECT * FROM ${source}`))
      .getRowObjectsJS()
      .map((r) => String(r.column_name));
    // numbers as numbers even when a column starts with gaps (DuckDB would guess VARCHAR)
    const numeric = ["flux_mean", ...OPTIONAL].filter((c) => columns.includes(c));
    if (!parquet)
      source = `read_csv('${path}', nullstr = [${nulls}], types = {${numeric.map((c) => `'${c}': 'DOUBLE'`).join(", ")}})`;
    for (const c of ["date", "flux_mean", ...(opts.site ? ["site"] : [])])
      if (!columns.includes(c))
        throw new ArtefactError(opts.file, `has no column ${c}`, `columns found: ${columns.join(", ")}`);
    if (!opts.site && columns.includes("site")) {
      const sites = (
        await con.runAndReadAll(
          `SELECT DISTINCT CAST(site AS VARCHAR) AS site FROM ${source} ORDER BY 1 LIMIT 6`,
        )
      )
        .getRowObjectsJS()
        .map((r) => String(r.site));
      if (sites.length > 1)
        throw new ArtefactError(
          opts.file,
          `holds several sites (${sites.slice(0, 5).join(", ")}${sites.length > 5 ? ", ..." : ""}); statistics pooled over sites describe none of them`,
          "pick one with --site <id>",
        );
    }
    const filters = [
      ["site", opts.site, "CAST(site AS VARCHAR) = $site"],
      ["from", opts.from, "CAST(date AS DATE) >= CAST($from AS DATE)"],
      ["to", opts.to, "CAST(date AS DATE) <= CAST($to AS DATE)"],
    ].filter((f): f is [string, string, string] => f[1] !== undefined);
    const where = filters.map((f) => f[2]);
    const params = Object.fromEntries(filters.map((f) => [f[0], f[1]]));
    const present = OPTIONAL.filter((c) => columns.includes(c));
    const sql = `SELECT CAST(CAST(date AS DATE) AS VARCHAR) AS date, CAST(flux_mean AS DOUBLE) AS flux_mean${present
      .map((c) => `, CAST(${c} AS DOUBLE) AS ${c}`)
      .join("")} FROM ${source}${where.length ? ` WHERE ${where.join(" AND ")}` : ""} ORDER BY date`;
    const rows = (await con.runAndReadAll(sql, params)).getColumnsObjectJS() as Record<string, unknown[]>;
    const dates = (rows.date ?? []) as string[];
    if (dates.length === 0)
      throw new ArtefactError(opts.file, "no rows match", "check --site, --from and --to");
    const series = (c: string) => (rows[c] as (number | null)[] | undefined)?.map((v) => v ?? null);
    try {
      const answer = answerReferenceRequest({
        flux_mean: series("flux_mean")!,
        tsoil_mean: series("tsoil_mean"),
        swc_mean: series("swc_mean"),
      });
      return {
        file: opts.file,
        site: opts.site ?? null,
        from: opts.from ?? null,
        to: opts.to ?? null,
        ...answer,
      };
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      const at = /^(\w+)\[(\d+)\]$/.exec(err.path);
      if (!at) throw err;
      throw new InputError(
        `${at[1]} on ${dates[Number(at[2])]}`,
        err.message.replace(/^[^:]+: /, "").replace(` (${err.hint})`, ""),
        err.hint,
      );
    }
  } finally {
    con.closeSync();
    db.closeSync();
  }
}
