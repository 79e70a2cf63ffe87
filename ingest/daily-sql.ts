/** The SQL that turns one dataset's raw rows into QA-flagged records and then into daily rows (DAILY_COLUMNS order). */
import { DAILY_COLUMNS, type DailyColumn } from "../core/daily-table.ts";
import type { DriverName } from "./columns.ts";
import { portDayTable } from "./port-sets.ts";
import { QA } from "./qa-thresholds.ts";
import { sqlIdent, sqlString } from "./sql.ts";
import { lstSql } from "./timezone.ts";

/** The raw-table index of the column chosen for each driver and the factor to the output unit (0.01 for % moisture). */
export type DriverColumns = Record<DriverName, { index: number; factor: number } | null>;

/** Tables of one dataset, named after a unique key so that parallel datasets never collide. */
export interface DatasetTables {
  raw: string;
  dst: string;
  ports: string;
  rec: string;
  weeks: string;
  flux: string;
  day: string;
}

/** Table names for dataset number `key`. */
export function datasetTables(key: string): DatasetTables {
  return {
    raw: `raw_${key}`,
    dst: `dst_${key}`,
    ports: `pc_${key}`,
    rec: `rec_${key}`,
    weeks: `ow_${key}`,
    flux: `fv_${key}`,
    day: `day_${key}`,
  };
}

const RANGE: Record<DriverName, { min: number; max: number }> = {
  tsoil: QA.tsoil,
  swc: QA.swc,
  tair: QA.tair,
  precip: QA.precip,
};

/**
 * The raw table's columns as SQL over the CSV: `ts` (wall-clock TIMESTAMP, NULL when unparseable), `port`
 * (DOUBLE, NULL when missing or not numeric), `p_f`/`x_f` (flux present / as DOUBLE) and `p_<i>`/`x_<i>` for
 * each candidate driver column `i`. Parsing once at load keeps every later query on typed columns.
 */
export function rawSelect(hasPortColumn: boolean, candidateColumns: readonly string[]): string[] {
  const sel = [
    "try_cast(trim(CSR_TIMESTAMP_BEGIN) AS TIMESTAMP) AS ts",
    `${hasPortColumn ? "try_cast(trim(CSR_PORT) AS DOUBLE)" : "NULL::DOUBLE"} AS port`,
    "CSR_FLUX_CO2 IS NOT NULL AS p_f",
    "try_cast(CSR_FLUX_CO2 AS DOUBLE) AS x_f",
  ];
  candidateColumns.forEach((c, i) => {
    sel.push(`${sqlIdent(c)} IS NOT NULL AS p_${i}`, `try_cast(${sqlIdent(c)} AS DOUBLE) AS x_${i}`);
  });
  return sel;
}

/**
 * `rec`: one row per raw row with a valid timestamp: port, wall-clock `ts`, local-standard `lst`, its day `d`
 * and hour `h`, the flux with its fate ('ok', 'missing', or the rule that drops it), and each driver value
 * after unit fix and range check (NULL when missing, non-numeric or out of range). `dst` is the table of
 * {@link createDstShiftTable}, or null for a zone without daylight saving time.
 */
export function recordTableSql(t: DatasetTables, drivers: DriverColumns, dst: string | null): string {
  const driver = (name: DriverName) => {
    const d = drivers[name];
    if (!d) return `NULL::DOUBLE AS ${name}`;
    const x = `r.x_${d.index} * ${d.factor}`;
    return `CASE WHEN ${x} BETWEEN ${RANGE[name].min} AND ${RANGE[name].max} THEN ${x} END AS ${name}`;
  };
  const lst = dst ? lstSql("r.ts", "s.dst_s") : "r.ts";
  return `CREATE TABLE ${t.rec} AS
    SELECT r.port, r.ts, ${lst} AS lst, CAST(${lst} AS DATE) AS d, hour(${lst}) AS h,
      CASE WHEN NOT coalesce(pc.is_control, false) THEN 'non_control_port'
           WHEN NOT r.p_f THEN 'missing'
           WHEN NOT coalesce(isfinite(r.x_f), false) THEN 'non_numeric'
           WHEN r.x_f NOT BETWEEN ${QA.flux.min} AND ${QA.flux.max} THEN 'flux_range'
           ELSE 'ok' END AS fate,
      r.x_f AS flux, ${driver("tsoil")}, ${driver("swc")}, ${driver("tair")}, ${driver("precip")}
    FROM ${t.raw} r
    ${dst ? `LEFT JOIN ${dst} s ON s.h = date_trunc('hour', r.ts)` : ""}
    LEFT JOIN ${t.ports} pc ON pc.port IS NOT DISTINCT FROM r.port
    WHERE r.ts IS NOT NULL`;
}

/** `weeks`: median, MAD and count of valid control flux per port and ISO week (Monday start) of local standard time. */
export function weekStatsSql(t: DatasetTables): string {
  return `CREATE TABLE ${t.weeks} AS
    SELECT port, date_trunc('week', d) AS wk, median(flux) AS med, mad(flux) AS mad, count(*) AS n
    FROM ${t.rec} WHERE fate = 'ok' GROUP BY ALL`;
}

/** `flux`: valid control flux records with the robust-outlier flag of {@link QA}.outlier. */
export function fluxTableSql(t: DatasetTables): string {
  const o = QA.outlier;
  return `CREATE TABLE ${t.flux} AS
    SELECT r.port, r.d, r.h, r.flux,
      coalesce(w.n >= ${o.minRecords} AND abs(r.flux - w.med) > ${o.k} * greatest(1.4826 * w.mad, ${o.scaleFloor}), false)
        AS outlier
    FROM ${t.rec} r JOIN ${t.weeks} w ON w.port IS NOT DISTINCT FROM r.port AND w.wk = date_trunc('week', r.d)
    WHERE r.fate = 'ok'`;
}

/** Output expression of every daily column, keyed by DAILY_COLUMNS (order and names come from the contract). */
function dailyExpressions(site: string): Record<DailyColumn, string> {
  const c = QA.coverage;
  return {
    site: `${sqlString(site)}::VARCHAR`,
    date: "dv.d",
    flux_mean: `CASE WHEN coalesce(fd.fn, 0) >= ${c.minRecords} AND coalesce(fh.nh, 0) >= ${c.minHours} THEN fd.fm END`,
    flux_n: "coalesce(fd.fn, 0)::INTEGER",
    flux_ports: "coalesce(fd.fp, 0)::INTEGER",
    flux_hours: "coalesce(fh.nh, 0)::INTEGER",
    tsoil_mean: "dv.tsoil_mean",
    tsoil_min: "dv.tsoil_min",
    tsoil_max: "dv.tsoil_max",
    tsoil_n: "dv.tsoil_n::INTEGER",
    swc_mean: "dv.swc_mean",
    swc_n: "dv.swc_n::INTEGER",
    tair_mean: "dv.tair_mean",
    tair_n: "dv.tair_n::INTEGER",
    precip_sum: "pr.ps",
    precip_n: "coalesce(pr.pn, 0)::INTEGER",
  };
}

/**
 * `day`: one row per local-standard day with any valid flux or driver record. Flux: the port-day table of
 * ingest/port-sets.ts (mean over ports of each port's daily mean, rescaled on days with an incomplete set of ports),
 * NULL below the coverage rule; that table must exist. Drivers: mean/min/max over every row of the dataset.
 * Precipitation: one value per timestamp (the largest), summed. Every floating-point mean and sum adds its values in
 * sorted order (`avg(x ORDER BY x)`), so the result does not depend on how DuckDB's threads split the rows: two
 * ingests of the same release write byte-identical files.
 */
export function dailyTableSql(t: DatasetTables, site: string): string {
  const expr = dailyExpressions(site);
  const select = (Object.keys(DAILY_COLUMNS) as DailyColumn[])
    .map((k) => `${expr[k]} AS ${sqlIdent(k)}`)
    .join(",\n      ");
  return `CREATE TABLE ${t.day} AS
    WITH fvk AS (SELECT port, d, h, flux FROM ${t.flux} WHERE NOT outlier),
    fd AS (SELECT d, fm, fn, fp FROM ${portDayTable(t)}),
    fh AS (SELECT d, count(DISTINCT h) AS nh FROM fvk GROUP BY d),
    dv AS (SELECT d, avg(tsoil ORDER BY tsoil) AS tsoil_mean, min(tsoil) AS tsoil_min, max(tsoil) AS tsoil_max,
                  count(tsoil) AS tsoil_n, avg(swc ORDER BY swc) AS swc_mean, count(swc) AS swc_n,
                  avg(tair ORDER BY tair) AS tair_mean, count(tair) AS tair_n
           FROM ${t.rec} GROUP BY d),
    pr AS (SELECT d, sum(p ORDER BY p) AS ps, count(*) AS pn
           FROM (SELECT d, ts, max(precip) AS p FROM ${t.rec} WHERE precip IS NOT NULL GROUP BY d, ts) GROUP BY d)
    SELECT ${select}
    FROM dv LEFT JOIN fd USING (d) LEFT JOIN fh USING (d) LEFT JOIN pr USING (d)
    WHERE coalesce(fd.fn, 0) > 0 OR dv.tsoil_n > 0 OR dv.swc_n > 0 OR dv.tair_n > 0 OR coalesce(pr.pn, 0) > 0`;
}
