/** `runIngest(options)`: a COSORE release -> daily.parquet, sites.parquet, ingest-report.json and reports/ in one call. */
import { existsSync, statSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join, resolve } from "node:path";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { DAILY_COLUMNS, DAILY_FILES, parquetMetadata, SITE_COLUMNS } from "../core/daily-table.ts";
import { InputError } from "../core/errors.ts";
import { writeJsonAtomic } from "../io/atomic-write.ts";
import { PACKAGE_VERSION } from "../io/package-version.ts";
import type { DriverName } from "./columns.ts";
import { type DatasetResult, processDataset } from "./dataset.ts";
import {
  checkExternalFile,
  completeExternalReport,
  DRIVERS_MODES,
  type DriversMode,
  loadExternalDrivers,
  mergeExternalSql,
  readExternalColumns,
} from "./external-drivers.ts";
import { loadPorts } from "./ports.ts";
import { locateRelease, readAncillary, readDescriptions } from "./release.ts";
import type { DatasetReport, ExternalReport, IngestReport } from "./report.ts";
import { ruleTotals } from "./report.ts";
import { buildSitesTable, SITES_TABLE } from "./sites.ts";
import { exec, num, queryRows, sqlIdent } from "./sql.ts";
import { prepareOutDir, writeDatasetReports, writeParquetAtomic } from "./write.ts";

/** Options of {@link runIngest} (the CLI flags of `soilco2 ingest`). */
export interface IngestOptions {
  /** Release folder (description.csv, ports.csv, datasets/). */
  cosore: string;
  /** Output folder; must be empty or absent unless `force`. */
  out: string;
  /** Only these dataset ids (default: every dataset of description.csv or datasets/). */
  datasets?: string[];
  /** CSV or Parquet table of external daily drivers (docs/ingest.md). */
  externalDrivers?: string;
  /** How external drivers meet in-situ ones (default "fill"). */
  driversMode?: DriversMode;
  /** Replace the ingest files of a non-empty `out`. */
  force?: boolean;
  /** Datasets processed at once (default: CPU count, at most 4). */
  concurrency?: number;
  /** Called after each dataset. */
  onProgress?: (done: number, total: number, dataset: string) => void;
}

/** What {@link runIngest} returns: the run report (as written to ingest-report.json) and every dataset report. */
export interface IngestSummary {
  out: string;
  report: IngestReport;
  datasets: DatasetReport[];
}

const DRIVERS: DriverName[] = ["tsoil", "swc", "tair", "precip"];

/** DDL column list of daily.parquet, types read from the "(TYPE)" suffix of each DAILY_COLUMNS description. */
function dailyDdl(): string {
  return Object.entries(DAILY_COLUMNS)
    .map(([name, desc]) => `${sqlIdent(name)} ${/\((\w+)\)\s*$/.exec(desc)?.[1] ?? "DOUBLE"}`)
    .join(", ");
}

async function runPool(
  instance: DuckDBInstance,
  jobs: Parameters<typeof processDataset>[1][],
  concurrency: number,
  onDone: (r: DatasetResult) => void,
): Promise<DatasetResult[]> {
  const results: DatasetResult[] = new Array(jobs.length);
  // Largest files first, so that the pool does not end waiting on one big dataset.
  const size = (f: string | null) => (f && existsSync(f) ? statSync(f).size : 0);
  const order = jobs.map((j, i) => ({ i, size: size(j.file) })).sort((a, b) => b.size - a.size);
  let next = 0;
  const worker = async () => {
    const con = await instance.connect();
    try {
      while (next < order.length) {
        const i = order[next++]?.i ?? -1;
        const job = jobs[i];
        if (!job) break;
        const r = await processDataset(con, job);
        results[i] = r;
        onDone(r);
      }
    } finally {
      con.closeSync();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, jobs.length)) }, worker));
  return results;
}

/**
 * Build the daily site dataset from a COSORE release. Bad input inside the release is counted and reported per
 * dataset; only a missing/empty release, missing description.csv/ports.csv, an unusable external-driver file
 * or a non-empty `out` without `force` throw (typed {@link Soilco2Error}s).
 */
export async function runIngest(options: IngestOptions): Promise<IngestSummary> {
  const started = performance.now();
  const mode = options.driversMode ?? "fill";
  if (!DRIVERS_MODES.includes(mode))
    throw new InputError(
      "--drivers-mode",
      `unknown mode ${JSON.stringify(mode)}`,
      `use ${DRIVERS_MODES.join(", ")}`,
    );
  if (options.externalDrivers) checkExternalFile(options.externalDrivers);
  const release = locateRelease(options.cosore);
  const out = resolve(options.out);

  const instance = await DuckDBInstance.create(":memory:");
  const con: DuckDBConnection = await instance.connect();
  try {
    const externalColumns = options.externalDrivers
      ? await readExternalColumns(con, options.externalDrivers)
      : null;
    prepareOutDir(out, options.force ?? false);
    const warnings: string[] = [];
    const descriptions = await readDescriptions(con, release.description);
    await loadPorts(con, release.ports);
    // Ancillary data is read on its own connection while the datasets run.
    const ancillaryCon = await instance.connect();
    const climatePromise = readAncillary(ancillaryCon, release.ancillary, warnings).finally(() =>
      ancillaryCon.closeSync(),
    );
    const ids = options.datasets?.length
      ? [...new Set(options.datasets.map((d) => d.trim()).filter(Boolean))]
      : [...new Set([...descriptions.keys(), ...release.dataFiles.keys()])].sort();
    const jobs = ids.map((dataset, i) => ({
      dataset,
      file: release.dataFiles.get(dataset) ?? null,
      description: descriptions.get(dataset),
      key: `d${i}`,
    }));
    let done = 0;
    const results = await runPool(
      instance,
      jobs,
      options.concurrency ?? Math.min(4, availableParallelism()),
      (r) => options.onProgress?.(++done, jobs.length, r.report.dataset),
    );
    const reports = results.map((r) => r.report);
    const climate = await climatePromise;

    // In-situ daily rows of kept datasets, then external drivers.
    await exec(con, `CREATE TABLE daily_insitu (${dailyDdl()})`);
    for (const r of results)
      if (r.dailyTable) await exec(con, `INSERT INTO daily_insitu SELECT * FROM ${r.dailyTable}`);
    const kept = new Set(reports.filter((r) => r.status === "kept").map((r) => r.dataset));
    let external: ExternalReport | null = null;
    if (options.externalDrivers && externalColumns) {
      external = await loadExternalDrivers(con, options.externalDrivers, externalColumns, mode, kept);
      await exec(
        con,
        `CREATE TABLE daily AS ${mergeExternalSql("daily_insitu", mode, external.columns_used)}`,
      );
      await completeExternalReport(con, "daily_insitu", "daily", external);
    } else await exec(con, "CREATE TABLE daily AS SELECT * FROM daily_insitu");

    await buildSitesTable(con, "daily", reports, descriptions, climate);
    const totalsRow = (
      await queryRows(
        con,
        `SELECT (SELECT count(*) FROM daily) AS site_days, (SELECT count(flux_mean) FROM daily) AS flux_days,
          (SELECT count(*) FROM ${SITES_TABLE} WHERE flux_days >= 30) AS sites30,
          (SELECT count(*) FROM ${SITES_TABLE} WHERE igbp IS NULL) AS igbp_unknown`,
      )
    )[0];
    const keptReports = reports.filter((r) => r.status === "kept");
    const report: IngestReport = {
      tool: "soilco2 ingest",
      version: PACKAGE_VERSION,
      created: new Date().toISOString(),
      release: release.dir,
      out,
      options: {
        datasets: options.datasets ?? null,
        external_drivers: options.externalDrivers ?? null,
        drivers_mode: options.externalDrivers ? mode : null,
        force: options.force ?? false,
      },
      totals: {
        datasets_considered: reports.length,
        datasets_kept: keptReports.length,
        datasets_skipped: reports.filter((r) => r.status === "skipped").length,
        datasets_failed: reports.filter((r) => r.status === "failed").length,
        rows_read: reports.reduce((a, r) => a + r.rows.read, 0),
        site_days: num(totalsRow?.site_days),
        flux_days: num(totalsRow?.flux_days),
        sites_with_30_flux_days: num(totalsRow?.sites30),
        sites_with: Object.fromEntries(
          DRIVERS.map((d) => [d, keptReports.filter((r) => r.drivers[d].days > 0).length]),
        ) as Record<DriverName, number>,
        sites_igbp_unknown: num(totalsRow?.igbp_unknown),
        elapsed_ms: 0,
      },
      rules: ruleTotals(reports, external),
      external,
      warnings,
      datasets: reports.map((r) => ({
        dataset: r.dataset,
        status: r.status,
        reason: r.reason,
        rows_read: r.rows.read,
        site_days: r.status === "kept" ? r.days.rows : 0,
        flux_days: r.status === "kept" ? r.days.flux_days : 0,
        drivers: Object.fromEntries(DRIVERS.map((d) => [d, r.drivers[d].column])) as Record<
          DriverName,
          string | null
        >,
      })),
    };

    await writeDatasetReports(out, reports);
    const writer = `soilco2 ingest ${PACKAGE_VERSION}`;
    await writeParquetAtomic(
      con,
      "SELECT * FROM daily ORDER BY site, date",
      join(out, DAILY_FILES.daily),
      parquetMetadata(DAILY_COLUMNS, writer),
      ["site", "date"],
    );
    await writeParquetAtomic(
      con,
      `SELECT * FROM ${SITES_TABLE} ORDER BY site`,
      join(out, DAILY_FILES.sites),
      parquetMetadata(SITE_COLUMNS, writer),
      ["site"],
    );
    report.totals.elapsed_ms = Math.round(performance.now() - started);
    await writeJsonAtomic(join(out, DAILY_FILES.report), report);
    return { out, report, datasets: reports };
  } finally {
    con.closeSync();
    instance.closeSync();
  }
}
