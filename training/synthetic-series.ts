/** The synthetic daily dataset: every site-day with drivers, observed where measured and modelled elsewhere (CSV + Parquet). */
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { isoDate } from "../core/dates.ts";
import { DYNAMIC_FEATURES } from "../core/features.ts";
import { replaceFileAtomic, writeFileAtomic } from "../io/atomic-write.ts";
import type { SiteSeries } from "./dataset.ts";
import { RUN_FILES } from "./run-dir.ts";
import { SPLIT } from "./splits.ts";

export const SYNTHETIC_FILES = { csv: "synthetic-daily.csv", parquet: "synthetic-daily.parquet" } as const;

const OBSERVED = DYNAMIC_FEATURES.filter((f) => f.source === "observed").map((f) => f.name);
const SPLIT_NAME: Record<number, string> = {
  [SPLIT.train]: "train",
  [SPLIT.val]: "val",
  [SPLIT.test]: "test",
};

/**
 * Write `<run>/predictions/synthetic-daily.{csv,parquet}`: one row per site-day that has at least one observed driver
 * or an observed flux. Columns: site, date, flux_observed, flux_modelled, flux_filled (observed where measured, else
 * modelled), source (observed | modelled), split (train | val | test), warmup (true in the first `warmupDays` of the
 * series, where the LSTM state is still spinning up). Units: µmol CO2 m-2 s-1.
 */
export async function writeSyntheticSeries(
  runDir: string,
  sites: readonly SiteSeries[],
  labels: readonly Uint8Array[],
  lstm: readonly Float32Array[],
  warmupDays: number,
): Promise<{ rows: number; csv: string; parquet: string }> {
  const lines = ["site,date,flux_observed,flux_modelled,flux_filled,source,split,warmup"];
  const num = (v: number) => (Number.isFinite(v) ? String(Math.round(v * 10000) / 10000) : "");
  sites.forEach((s, i) => {
    for (let t = 0; t < s.length; t++) {
      const obs = s.target[t]!;
      const hasDriver = OBSERVED.some((n) => !Number.isNaN(s.drivers[n]?.[t] ?? Number.NaN));
      if (!hasDriver && Number.isNaN(obs)) continue;
      const model = lstm[i]![t]!;
      const observed = !Number.isNaN(obs);
      lines.push(
        [
          s.info.site,
          isoDate(s.firstDay + t),
          num(obs),
          num(model),
          num(observed ? obs : model),
          observed ? "observed" : "modelled",
          SPLIT_NAME[labels[i]![t]!] ?? "",
          t < warmupDays ? "true" : "false",
        ].join(","),
      );
    }
  });
  const dir = join(runDir, RUN_FILES.predictions);
  const csv = join(dir, SYNTHETIC_FILES.csv);
  const parquet = join(dir, SYNTHETIC_FILES.parquet);
  await writeFileAtomic(csv, `${lines.join("\n")}\n`);
  const db = await DuckDBInstance.create(":memory:");
  const con = await db.connect();
  try {
    const q = (p: string) => `'${p.replaceAll("'", "''")}'`;
    await replaceFileAtomic(parquet, (tmp) =>
      con.run(
        `COPY (SELECT * FROM read_csv(${q(csv)}, header = true, columns = {'site': 'VARCHAR', 'date': 'DATE', 'flux_observed': 'DOUBLE', 'flux_modelled': 'DOUBLE', 'flux_filled': 'DOUBLE', 'source': 'VARCHAR', 'split': 'VARCHAR', 'warmup': 'BOOLEAN'})) TO ${q(tmp)} (FORMAT parquet)`,
      ),
    );
  } finally {
    con.closeSync();
    db.closeSync();
  }
  return { rows: lines.length - 1, csv, parquet };
}
