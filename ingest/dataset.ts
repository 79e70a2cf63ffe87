/** One dataset -> its daily rows (a DuckDB table) and its report; every failure stays inside the report. */
import type { DuckDBConnection } from "@duckdb/node-api";
import { type RawStats, rawStats } from "./column-stats.ts";
import { type DriverName, driverCandidates, REQUIRED_COLUMNS, unknownColumns } from "./columns.ts";
import {
  type DatasetTables,
  dailyTableSql,
  datasetTables,
  fluxTableSql,
  rawSelect,
  recordTableSql,
  weekStatsSql,
} from "./daily-sql.ts";
import { loadCsv, readHeader, verifyGzip } from "./data-file.ts";
import { createPortDayTable, portSetCounts } from "./port-sets.ts";
import { createPortClassTable } from "./ports.ts";
import { QA } from "./qa-thresholds.ts";
import type { DatasetDescription } from "./release.ts";
import { type DatasetReport, emptyDatasetReport, skip } from "./report.ts";
import { exec, num, queryRows, strOrNull } from "./sql.ts";
import { createDstShiftTable, isKnownTimeZone, zoneHasDst } from "./timezone.ts";

/** What {@link processDataset} needs to know about one dataset. */
export interface DatasetJob {
  dataset: string;
  /** Its flux table, null when the release has none. */
  file: string | null;
  /** Its description.csv row, undefined when absent. */
  description: DatasetDescription | undefined;
  /** Unique suffix for the DuckDB tables of this dataset. */
  key: string;
}

/** Outcome: the report, and the name of the daily table (DAILY_COLUMNS) when the dataset is kept. */
export interface DatasetResult {
  report: DatasetReport;
  dailyTable: string | null;
}

const DRIVERS: DriverName[] = ["tsoil", "swc", "tair", "precip"];

const firstLine = (err: unknown) => (err instanceof Error ? err.message : String(err)).split("\n")[0] ?? "";

async function dropAll(con: DuckDBConnection, t: DatasetTables, keepDay: boolean): Promise<void> {
  const names = [t.raw, t.dst, t.ports, t.rec, t.weeks, t.flux, ...(keepDay ? [] : [t.day])];
  await exec(con, names.map((n) => `DROP TABLE IF EXISTS ${n};`).join(" "));
}

/**
 * Read one dataset, apply the QA rules of ingest/qa-rules.ts and build its daily table in DuckDB.
 * Never throws for bad input: a missing, truncated or malformed file, a bad time zone, or no usable flux
 * ends in a report with status "skipped" (or "failed" for an unexpected error) and no daily table.
 */
export async function processDataset(con: DuckDBConnection, job: DatasetJob): Promise<DatasetResult> {
  const started = performance.now();
  const report = emptyDatasetReport(job.dataset, job.file, job.description?.timezone ?? null);
  const t = datasetTables(job.key);
  let kept = false;
  try {
    await run(con, job, report, t);
    kept = report.status === "kept";
  } catch (err) {
    report.status = "failed";
    report.reason = { rule: null, message: firstLine(err) };
    report.errors.push(firstLine(err));
  } finally {
    await dropAll(con, t, kept).catch(() => undefined);
    report.elapsed_ms = Math.round(performance.now() - started);
  }
  return { report, dailyTable: kept ? t.day : null };
}

/** Copy column statistics into the report: chosen columns, per-variable and per-rule counts. */
function recordStats(report: DatasetReport, s: RawStats): void {
  report.rows.read = s.rows;
  report.rows.bad_timestamp = s.badTimestamp;
  report.rule_counts.bad_timestamp = s.badTimestamp;
  report.non_numeric_by_variable.flux = s.flux.present - s.flux.numeric;
  for (const name of DRIVERS) {
    const d = report.drivers[name];
    const cols = s.columns.filter((c) => c.driver === name);
    d.candidates = cols.map(({ column, depth_cm, numeric, valid, percent, plausible }) => ({
      column,
      depth_cm,
      numeric,
      valid,
      percent,
      plausible,
    }));
    for (const c of cols)
      if (!c.plausible && c.numeric > 0) report.rule_counts.column_implausible += c.numeric;
    const pick = s.chosen[name];
    const c = pick ? s.columns[pick.index] : undefined;
    if (!c) continue;
    d.column = c.column;
    d.depth_cm = c.depth_cm;
    d.records = c.valid;
    d.non_numeric = c.present - c.numeric;
    d.out_of_range = c.numeric - c.valid;
    d.percent_fixed = c.percent;
    report.non_numeric_by_variable[name] = d.non_numeric;
    report.rule_counts[`${name}_range`] += d.out_of_range;
    if (c.percent) report.rule_counts.swc_percent += c.numeric;
  }
  report.rule_counts.non_numeric = Object.values(report.non_numeric_by_variable).reduce((a, b) => a + b, 0);
}

/** Flux fates per port class into the report; returns the count of numeric flux records from control ports. */
async function recordFates(con: DuckDBConnection, report: DatasetReport, t: DatasetTables): Promise<number> {
  const rows = await queryRows(
    con,
    `SELECT r.fate, r.port, pc.label, pc.is_control, count(*) AS n FROM ${t.rec} r
     LEFT JOIN ${t.ports} pc ON pc.port IS NOT DISTINCT FROM r.port GROUP BY ALL ORDER BY r.port`,
  );
  const f = report.flux;
  const control = new Set<number>();
  let controlNumeric = 0;
  for (const row of rows) {
    const n = num(row.n);
    const port = row.port === null ? null : Number(row.port);
    if (row.is_control === true && port !== null) control.add(port);
    if (row.fate === "ok" || row.fate === "flux_range") controlNumeric += n;
    if (row.fate === "missing") f.missing += n;
    else if (row.fate === "non_numeric") f.non_numeric += n;
    else if (row.fate === "flux_range") {
      f.out_of_range += n;
      report.rule_counts.flux_range += n;
    } else if (row.fate === "non_control_port") {
      const label = strOrNull(row.label) ?? "?";
      let group = f.non_control.find((g) => g.label === label);
      if (!group) {
        group = { label, ports: [], records: 0 };
        f.non_control.push(group);
      }
      group.ports.push(port);
      group.records += n;
      report.rule_counts.non_control_port += n;
    }
  }
  f.control_ports = [...control].sort((a, b) => a - b);
  return controlNumeric;
}

/** Day counts of the finished daily table into the report. */
async function recordDays(con: DuckDBConnection, report: DatasetReport, t: DatasetTables): Promise<void> {
  const d = (
    await queryRows(
      con,
      `SELECT count(*) AS rows, count(flux_mean) AS flux_days,
        count(*) FILTER (WHERE flux_n > 0 AND flux_mean IS NULL) AS low,
        min(date)::VARCHAR AS first, max(date)::VARCHAR AS last,
        count(tsoil_mean) AS tsoil, count(swc_mean) AS swc, count(tair_mean) AS tair, count(precip_sum) AS precip,
        coalesce(sum(precip_n), 0) AS precip_n
       FROM ${t.day}`,
    )
  )[0];
  report.days = {
    rows: num(d?.rows),
    flux_days: num(d?.flux_days),
    low_coverage: num(d?.low),
    first_date: strOrNull(d?.first),
    last_date: strOrNull(d?.last),
  };
  report.rule_counts.low_coverage = report.days.low_coverage;
  for (const name of DRIVERS) report.drivers[name].days = num(d?.[name]);
  report.rule_counts.precip_duplicate = report.drivers.precip.records - num(d?.precip_n);
}

async function run(
  con: DuckDBConnection,
  job: DatasetJob,
  report: DatasetReport,
  t: DatasetTables,
): Promise<void> {
  const tz = job.description?.timezone ?? null;
  if (!job.description)
    return void skip(report, "missing_metadata", "no row in description.csv (no time zone or coordinates)");
  if (!job.file) return void skip(report, "missing_file", "no datasets/data_<id>.csv[.gz] in the release");
  let header: string[];
  try {
    header = await readHeader(job.file);
  } catch (err) {
    return void skip(report, "unreadable_file", `cannot read the header: ${firstLine(err)}`);
  }
  const missing = REQUIRED_COLUMNS.filter((c) => !header.includes(c));
  if (missing.length > 0) return void skip(report, "missing_column", `no column ${missing.join(", ")}`);
  const unknown = unknownColumns(header);
  if (unknown.length > 0)
    report.warnings.push(`columns not in the COSORE standard ignored: ${unknown.join(", ")}`);
  const hasPort = header.includes("CSR_PORT");
  if (!hasPort) report.warnings.push("no CSR_PORT column: every row is read as port 0");
  if (!tz || !(await isKnownTimeZone(con, tz)))
    return void skip(report, "bad_timezone", `CSR_TIMEZONE ${JSON.stringify(tz)} is not an IANA zone`);

  // Load (typed) while a second pass checks the gzip stream to its end.
  const candidates = driverCandidates(header);
  const integrity = verifyGzip(job.file).then(
    () => null,
    (err: unknown) => firstLine(err),
  );
  let load: Awaited<ReturnType<typeof loadCsv>>;
  try {
    load = await loadCsv(
      con,
      job.file,
      header,
      rawSelect(
        hasPort,
        candidates.map((c) => c.column),
      ),
      t.raw,
    );
  } catch (err) {
    await integrity;
    return void skip(report, "unreadable_file", firstLine(err));
  }
  const broken = await integrity;
  if (broken) return void skip(report, "unreadable_file", `corrupt or truncated gzip: ${broken}`);
  report.rows.malformed_lines = load.malformedLines;
  report.rule_counts.malformed_row = load.malformedLines;
  report.warnings.push(...load.examples.map((e) => `malformed ${e}`));

  const stats = await rawStats(con, t.raw, candidates);
  recordStats(report, stats);
  if (stats.flux.numericAnyRow === 0)
    return void skip(report, "no_numeric_flux", "every CSR_FLUX_CO2 is NA, empty or not a number");

  // Records in local standard time, port classes, flux fates.
  let dst: string | null = null;
  if (
    stats.firstYear !== null &&
    (await zoneHasDst(con, tz, stats.firstYear, stats.lastYear ?? stats.firstYear))
  ) {
    await createDstShiftTable(con, t.dst, `SELECT ts FROM ${t.raw}`, tz);
    dst = t.dst;
  }
  await createPortClassTable(con, t.ports, `SELECT port FROM ${t.raw}`, job.dataset);
  await exec(con, recordTableSql(t, stats.chosen, dst));
  if ((await recordFates(con, report, t)) === 0) {
    const classes = report.flux.non_control.map((g) => `${g.label}: ports ${g.ports.join(" ")}`).join("; ");
    return void skip(
      report,
      "no_control_port",
      `no numeric flux from a control Rs port (${classes || "no ports"})`,
    );
  }

  // Robust outliers, then the daily table.
  await exec(con, weekStatsSql(t));
  await exec(con, fluxTableSql(t));
  const o = (
    await queryRows(
      con,
      `SELECT count(*) FILTER (WHERE outlier) AS out, count(*) FILTER (WHERE NOT outlier) AS ok FROM ${t.flux}`,
    )
  )[0];
  report.flux.outliers = num(o?.out);
  report.flux.valid = num(o?.ok);
  report.rule_counts.flux_outlier = report.flux.outliers;
  await createPortDayTable(con, t);
  report.flux.port_sets = await portSetCounts(con, t);
  report.rule_counts.port_set = report.flux.port_sets.adjusted_days;
  await exec(con, dailyTableSql(t, job.dataset));
  await recordDays(con, report, t);
  if (report.days.flux_days === 0) {
    const c = QA.coverage;
    return void skip(
      report,
      "no_flux_day",
      `no day with >= ${c.minRecords} valid records over >= ${c.minHours} hours (${report.flux.valid} valid records)`,
    );
  }
  report.status = "kept";
}
