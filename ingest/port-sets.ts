/** The daily flux over a changing set of reporting ports: per-port levels so that a chamber starting or stopping makes no step in the site's daily series. */
import type { DuckDBConnection } from "@duckdb/node-api";
import type { DatasetTables } from "./daily-sql.ts";
import { exec, queryRows } from "./sql.ts";

/** Name of the per-day flux table of one dataset (d, fm, fn, fp, adjusted). */
export function portDayTable(t: DatasetTables): string {
  return `${t.day}_pd`;
}

/*
 * Why: chambers differ in level (soil, roots, collar), so the plain mean over the ports reporting on a day jumps when
 * one of them stops or starts. Each port's level factor k_p is the ratio of its daily means to the plain daily means,
 * summed over the days on which it reports with at least one other port; on a day when only a subset S of the site's
 * ports reports, the daily flux is mean_S(m_p / k_p) · mean_all(k_p): the plain mean the full set would have had if
 * the ports kept their levels. Days with every port keep the plain mean; a port that never reports with another, or
 * whose factor is not positive, keeps k = 1. The rule is QA rule `port_set` (ingest/qa-rules.ts).
 */

/**
 * Create the per-day flux table from the per-port daily means of valid, non-outlier records: `fm` the daily flux
 * (adjusted as the rule above says), `fn` the records, `fp` the reporting ports, `adjusted` whether the day's
 * set of ports was incomplete and its flux was rescaled. Every sum runs in sorted order (byte-identical reruns).
 */
export async function createPortDayTable(con: DuckDBConnection, t: DatasetTables): Promise<void> {
  await exec(
    con,
    `CREATE TABLE ${portDayTable(t)} AS
    WITH pd AS (SELECT d, port, avg(flux ORDER BY flux) AS m, count(*) AS n
                FROM ${t.flux} WHERE NOT outlier GROUP BY d, port),
    allp AS (SELECT count(DISTINCT port) AS ports FROM pd),
    raw AS (SELECT d, avg(m ORDER BY m) AS fm, sum(n) AS fn, count(*) AS fp FROM pd GROUP BY d),
    k1 AS (SELECT pd.port, sum(pd.m ORDER BY pd.m) / nullif(sum(raw.fm ORDER BY raw.fm), 0) AS k
           FROM pd JOIN raw USING (d) WHERE raw.fp >= 2 GROUP BY pd.port),
    kp AS (SELECT p.port, CASE WHEN k1.k > 0 AND isfinite(k1.k) THEN k1.k ELSE 1 END AS k
           FROM (SELECT DISTINCT port FROM pd) p LEFT JOIN k1 ON k1.port IS NOT DISTINCT FROM p.port),
    km AS (SELECT avg(k ORDER BY k) AS km FROM kp),
    adj AS (SELECT pd.d, avg(pd.m / kp.k ORDER BY pd.m / kp.k) AS am
            FROM pd JOIN kp ON kp.port IS NOT DISTINCT FROM pd.port GROUP BY pd.d)
    SELECT raw.d, raw.fn, raw.fp,
      raw.fp < allp.ports AS adjusted,
      CASE WHEN raw.fp < allp.ports THEN adj.am * km.km ELSE raw.fm END AS fm
    FROM raw JOIN adj USING (d), allp, km`,
  );
}

/** What the rule did at one dataset, for its report. */
export interface PortSetCounts {
  /** Days whose set of reporting ports differs from the previous flux day's. */
  set_changes: number;
  /** Days with an incomplete set of ports, whose flux was rescaled. */
  adjusted_days: number;
  /** Largest |ln(adjusted / plain mean)| over the adjusted days (0 when none). */
  max_log_adjustment: number;
}

/** Count the set changes and adjustments of a dataset (after {@link createPortDayTable}). */
export async function portSetCounts(con: DuckDBConnection, t: DatasetTables): Promise<PortSetCounts> {
  const rows = await queryRows(
    con,
    `WITH sets AS (SELECT d, string_agg(CAST(port AS VARCHAR), ',' ORDER BY port) AS s
                   FROM ${t.flux} WHERE NOT outlier GROUP BY d),
     ch AS (SELECT count(*) FILTER (WHERE s IS DISTINCT FROM prev) AS n
            FROM (SELECT s, lag(s) OVER (ORDER BY d) AS prev FROM sets) WHERE prev IS NOT NULL),
     plain AS (SELECT d, avg(m ORDER BY m) AS pm FROM (SELECT d, port, avg(flux ORDER BY flux) AS m FROM ${t.flux}
               WHERE NOT outlier GROUP BY d, port) GROUP BY d)
     SELECT (SELECT n FROM ch) AS changes,
       count(*) FILTER (WHERE p.adjusted) AS adjusted,
       coalesce(max(abs(ln(p.fm / pl.pm))) FILTER (WHERE p.adjusted AND p.fm > 0 AND pl.pm > 0), 0) AS maxlog
     FROM ${portDayTable(t)} p JOIN plain pl USING (d)`,
  );
  const r = rows[0] ?? {};
  return {
    set_changes: Number(r.changes ?? 0),
    adjusted_days: Number(r.adjusted ?? 0),
    max_log_adjustment: Math.round(Number(r.maxlog ?? 0) * 1e4) / 1e4,
  };
}
