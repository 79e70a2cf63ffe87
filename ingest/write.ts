/** The ingest's output folder and files, written atomically through io/atomic-write.ts: Parquet through DuckDB, JSON reports. */
import { mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { DAILY_FILES } from "../core/daily-table.ts";
import { ArtefactError } from "../core/errors.ts";
import { replaceFileAtomic, writeJsonAtomic } from "../io/atomic-write.ts";
import { exec, sqlIdent, sqlString } from "./sql.ts";

/**
 * Make sure `out` can take a new ingest: created if absent; refused ({@link ArtefactError}) if it is a file,
 * or a non-empty folder without `force`. With `force` nothing is deleted here: files are replaced one by one.
 */
export function prepareOutDir(out: string, force: boolean): void {
  let entries: string[] = [];
  try {
    if (!statSync(out).isDirectory())
      throw new ArtefactError(out, "is a file, not a folder", "choose a folder for --out");
    entries = readdirSync(out);
  } catch (err) {
    if (err instanceof ArtefactError) throw err;
    mkdirSync(out, { recursive: true });
    return;
  }
  if (entries.length > 0 && !force)
    throw new ArtefactError(
      out,
      `folder not empty (${entries.slice(0, 3).join(", ")}${entries.length > 3 ? ", ..." : ""})`,
      "use --force to replace the ingest files in it, or choose an empty folder",
    );
}

/**
 * Write the rows of a SELECT to a Parquet file atomically: DuckDB COPY to a temp file, fsync, rename over the target.
 * @param metadata key-value metadata of the file (e.g. core/daily-table.ts `parquetMetadata`)
 */
export async function writeParquetAtomic(
  con: DuckDBConnection,
  selectSql: string,
  path: string,
  metadata: Readonly<Record<string, string>> = {},
): Promise<void> {
  const kv = Object.entries(metadata).map(([k, v]) => `${sqlIdent(k)}: ${sqlString(v)}`);
  const kvOption = kv.length > 0 ? `, KV_METADATA {${kv.join(", ")}}` : "";
  await replaceFileAtomic(path, (tmp) =>
    exec(con, `COPY (${selectSql}) TO ${sqlString(tmp)} (FORMAT parquet, COMPRESSION zstd${kvOption})`),
  );
}

/** Write reports/<dataset>.json for every report and delete report files of datasets no longer in the run. */
export async function writeDatasetReports(
  out: string,
  reports: readonly { dataset: string }[],
): Promise<void> {
  const dir = join(out, DAILY_FILES.reportsDir);
  mkdirSync(dir, { recursive: true });
  const keep = new Set<string>();
  for (const r of reports) {
    const name = `${r.dataset.replace(/[^\w.-]/g, "_")}.json`;
    keep.add(name);
    await writeJsonAtomic(join(dir, name), r);
  }
  for (const f of readdirSync(dir))
    if (f.endsWith(".json") && !keep.has(f)) rmSync(join(dir, f), { force: true });
}
