/** Wall-clock timestamps to local standard time (the FLUXNET convention) with DuckDB's built-in ICU time zones. */
import type { DuckDBConnection } from "@duckdb/node-api";
import { exec, queryRows, sqlIdent, sqlString } from "./sql.ts";

/**
 * Whether DuckDB's ICU knows `tz` as an IANA zone name (exact spelling, e.g. `Etc/GMT+8`, `America/New_York`).
 * ICU is statically linked in @duckdb/node-api, so this works offline.
 */
export async function isKnownTimeZone(con: DuckDBConnection, tz: string | null): Promise<boolean> {
  if (!tz || tz.trim() === "") return false;
  knownZones ??= queryRows(con, "SELECT name FROM pg_timezone_names()").then(
    (rows) => new Set(rows.map((r) => String(r.name))),
  );
  return (await knownZones).has(tz);
}

/** ICU's zone names, read once per process (they are compiled into DuckDB). */
let knownZones: Promise<Set<string>> | undefined;

/** UTC offset in seconds of wall-clock time `ts` (a SQL TIMESTAMP expression) in zone `tz`. */
function offsetSql(ts: string, tz: string): string {
  return `(epoch(${ts}) - epoch(timezone('UTC', timezone(${sqlString(tz)}, ${ts}))))`;
}

/**
 * Whether zone `tz` observes daylight saving time in any year from `firstYear` to `lastYear`: its offsets on
 * 15 January and 15 July differ. False for fixed zones such as `Etc/GMT+8` or `UTC`, which need no shift.
 */
export async function zoneHasDst(
  con: DuckDBConnection,
  tz: string,
  firstYear: number,
  lastYear: number,
): Promise<boolean> {
  const jan = "make_timestamp(y::BIGINT, 1, 15, 12, 0, 0)";
  const jul = "make_timestamp(y::BIGINT, 7, 15, 12, 0, 0)";
  const rows = await queryRows(
    con,
    `SELECT count(*) FILTER (WHERE ${offsetSql(jan, tz)} <> ${offsetSql(jul, tz)}) AS n
     FROM range(${Math.trunc(firstYear)}, ${Math.trunc(lastYear) + 1}) t(y)`,
  );
  return Number(rows[0]?.n) > 0;
}

/**
 * Create `target(h TIMESTAMP, dst_s DOUBLE)`: for every distinct wall-clock hour of the timestamps that `tsSql`
 * (a SELECT with one TIMESTAMP column `ts`) yields,
 * the daylight-saving shift in seconds (0 outside DST and in fixed zones). The zone's standard offset for a
 * year is the smaller of its offsets on 15 January and 15 July, so southern-hemisphere DST works too.
 * Hours are enough because zones switch on whole hours; computing per hour keeps ICU off the row path.
 * Wall-clock times that do not exist or repeat at a switch get ICU's reading.
 */
export async function createDstShiftTable(
  con: DuckDBConnection,
  target: string,
  tsSql: string,
  tz: string,
): Promise<void> {
  const jan = "make_timestamp(year(h), 1, 15, 12, 0, 0)";
  const jul = "make_timestamp(year(h), 7, 15, 12, 0, 0)";
  await exec(
    con,
    `CREATE TABLE ${sqlIdent(target)} AS
     SELECT h, ${offsetSql("h", tz)} - least(${offsetSql(jan, tz)}, ${offsetSql(jul, tz)}) AS dst_s
     FROM (SELECT DISTINCT date_trunc('hour', ts) AS h FROM (${tsSql}) WHERE ts IS NOT NULL)`,
  );
}

/** SQL for local standard time given a wall-clock TIMESTAMP expression and the DST shift (seconds) joined for its hour. */
export function lstSql(ts: string, dstSeconds: string): string {
  return `(${ts} - to_seconds(coalesce(${dstSeconds}, 0)))`;
}

/**
 * Local-standard-time calendar days of wall-clock timestamps (`YYYY-MM-DD HH:MM:SS`) in zone `tz`.
 * Convenience for tests and one-off checks; the ingest does the same in bulk SQL.
 * @example await localStandardDates(con, "America/New_York", ["2020-07-01 00:30:00"]) // ["2020-06-30"]
 */
export async function localStandardDates(
  con: DuckDBConnection,
  tz: string,
  timestamps: readonly string[],
): Promise<string[]> {
  const name = `lst_probe_${process.pid}_${Math.floor(Math.random() * 1e9)}`;
  const values = timestamps.map((t, i) => `(${i}, ${sqlString(t)}::TIMESTAMP)`).join(", ");
  await exec(con, `CREATE TABLE ${name}_in AS SELECT * FROM (VALUES ${values}) v(i, ts)`);
  try {
    await createDstShiftTable(con, `${name}_dst`, `SELECT ts FROM ${name}_in`, tz);
    const rows = await queryRows(
      con,
      `SELECT CAST(${lstSql("i.ts", "s.dst_s")} AS DATE)::VARCHAR AS d FROM ${name}_in i
       LEFT JOIN ${name}_dst s ON s.h = date_trunc('hour', i.ts) ORDER BY i.i`,
    );
    return rows.map((r) => String(r.d));
  } finally {
    await exec(con, `DROP TABLE IF EXISTS ${name}_in; DROP TABLE IF EXISTS ${name}_dst`);
  }
}
