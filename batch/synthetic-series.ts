/**
 * The gap-free synthetic daily dataset of the training sites, through the batch path: every calendar day from a
 * site's first day to its last, modelled by an exported model (reference statistics from the site's training
 * period, a cold start as in training's evaluation), observed efflux where measured, with the split and warm-up flags
 * of training's `predictions/synthetic-daily` and the batch's driver-coverage flags.
 */
import { mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { DAILY_FILES } from "../core/daily-table.ts";
import { isoDate } from "../core/dates.ts";
import { sqlString } from "../ingest/sql.ts";
import { replaceFileAtomic, writeFileAtomic } from "../io/atomic-write.ts";
import { loadDailyDataset } from "../training/dataset.ts";
import { derivedStatics } from "../training/experiment.ts";
import { SPLIT, temporalSplit } from "../training/splits.ts";
import { openBatchDb } from "./duckdb.ts";
import { BATCH_FILES, DEFAULT_JOB_OPTIONS } from "./job.ts";
import { predictBatch } from "./predict-batch.ts";

/** Files of the synthetic dataset, beside the batch run that made it (`batch/`). */
export const SYNTHETIC_FILES = {
  parquet: "synthetic-daily.parquet",
  csv: "synthetic-daily.csv",
  batch: "batch",
} as const;

const SPLIT_NAME: Record<number, string> = {
  [SPLIT.train]: "train",
  [SPLIT.val]: "val",
  [SPLIT.test]: "test",
};

/** Options of {@link writeGapFreeSynthetic}. */
export interface SyntheticOptions {
  /** An ingest output directory (daily.parquet, sites.parquet). */
  dataDir: string;
  outDir: string;
  modelDir?: string | undefined;
  sessions?: number | undefined;
  /** Sites enter with at least this many flux days (training's default, 30). */
  minFluxDays?: number;
  progress?: boolean;
  log?: (line: string) => void;
}

/**
 * Write `<out>/synthetic-daily.{parquet,csv}`: site, date, flux_observed, flux_modelled, flux_filled, source
 * (observed | modelled), split (train | val | test, the temporal split of `soilco2 score`), warmup, drivers_present,
 * driver_covered; µmol CO2 m-2 s-1. The batch run (parts, manifest) stays in `<out>/batch`, so a rerun resumes.
 */
export async function writeGapFreeSynthetic(
  o: SyntheticOptions,
): Promise<{ rows: number; sites: number; parquet: string }> {
  const out = resolve(o.outDir);
  const inputs = join(out, "inputs");
  await mkdir(inputs, { recursive: true });
  const { sites } = await loadDailyDataset(o.dataDir, o.minFluxDays ?? 30);
  const labels = temporalSplit(sites, 0.3, 0.1);
  const refs = sites.map((s, i) => derivedStatics(s, labels[i]!));
  const refNames = [...new Set(refs.flatMap((r) => Object.keys(r)))];
  const cell = (v: number | string | null | undefined) =>
    v === null || v === undefined || (typeof v === "number" && !Number.isFinite(v)) ? "" : String(v);
  const siteLines = sites.map((s, i) =>
    [
      s.info.site,
      s.info.latitude,
      s.info.elevation,
      s.info.mat,
      s.info.map,
      s.info.igbp,
      ...refNames.map((n) => refs[i]![n]),
    ]
      .map(cell)
      .join(","),
  );
  await writeFileAtomic(
    join(inputs, "sites.csv"),
    `${["site,latitude,elevation,mat,map,igbp", ...refNames].join(",")}\n${siteLines.join("\n")}\n`,
  );
  const splitLines: string[] = ["site,date,split"];
  sites.forEach((s, i) => {
    for (let t = 0; t < s.length; t++) {
      const name = SPLIT_NAME[labels[i]![t]!];
      if (name) splitLines.push(`${s.info.site},${isoDate(s.firstDay + t)},${name}`);
    }
  });
  await writeFileAtomic(join(inputs, "split.csv"), `${splitLines.join("\n")}\n`);
  const daily = join(resolve(o.dataDir), DAILY_FILES.daily);
  const drivers = join(inputs, "drivers.parquet");
  const db = await openBatchDb(join(out, ".tmp"));
  try {
    const list = sites.map((s) => sqlString(s.info.site)).join(", ");
    await db.con.run(
      `COPY (SELECT * FROM read_parquet(${sqlString(daily)}) WHERE site IN (${list})) TO ${sqlString(drivers)} (FORMAT parquet)`,
    );
    const batchDir = join(out, SYNTHETIC_FILES.batch);
    await predictBatch({
      drivers,
      sites: join(inputs, "sites.csv"),
      outDir: batchDir,
      modelDir: o.modelDir,
      job: { ...DEFAULT_JOB_OPTIONS, spinUp: "none" },
      sessions: o.sessions,
      progress: o.progress,
      log: o.log,
    });
    const select = `SELECT p.site, p.date, d.flux_mean AS flux_observed, p.efflux AS flux_modelled,
        coalesce(d.flux_mean, p.efflux) AS flux_filled, CASE WHEN d.flux_mean IS NULL THEN 'modelled' ELSE 'observed' END AS source,
        s.split, p.warmup, p.drivers_present, p.driver_covered
      FROM read_parquet(${sqlString(join(batchDir, BATCH_FILES.parts, "*.parquet"))}) p
      LEFT JOIN read_parquet(${sqlString(daily)}) d ON d.site = p.site AND d.date = p.date
      LEFT JOIN read_csv(${sqlString(join(inputs, "split.csv"))}, header = true, columns = {'site': 'VARCHAR', 'date': 'DATE', 'split': 'VARCHAR'}) s
        ON s.site = p.site AND s.date = p.date
      ORDER BY p.site, p.date`;
    const parquet = join(out, SYNTHETIC_FILES.parquet);
    const csv = join(out, SYNTHETIC_FILES.csv);
    for (const [target, format] of [
      [parquet, "FORMAT parquet, COMPRESSION zstd"],
      [csv, "FORMAT csv, HEADER true"],
    ] as const) {
      await replaceFileAtomic(target, (tmp) =>
        db.con.run(`COPY (${select}) TO ${sqlString(tmp)} (${format})`),
      );
    }
    const [[rows]] = (
      await db.con.runAndReadAll(`SELECT count(*)::INTEGER FROM read_parquet(${sqlString(parquet)})`)
    ).getRows() as [[number]];
    return { rows, sites: sites.length, parquet };
  } finally {
    db.close();
  }
}
