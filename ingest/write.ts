/** The ingest's output folder and files, written atomically through io/atomic-write.ts: Parquet (ingest/parquet-keys.ts), JSON reports. */
import { mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { DAILY_FILES } from "../core/daily-table.ts";
import { ArtefactError } from "../core/errors.ts";
import { replaceFileAtomic, writeJsonAtomic } from "../io/atomic-write.ts";
import { parquetBytes } from "./parquet-keys.ts";

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
 * Write the rows of a SELECT to a Parquet file atomically: encoded by ingest/parquet-keys.ts (key columns REQUIRED),
 * written to a temp file, fsynced, renamed over the target.
 * @param metadata key-value metadata of the file (e.g. core/daily-table.ts `parquetMetadata`)
 * @param required the key columns, REQUIRED in the file's schema (a NULL in one is an error)
 */
export async function writeParquetAtomic(
  con: DuckDBConnection,
  selectSql: string,
  path: string,
  metadata: Readonly<Record<string, string>> = {},
  required: readonly string[] = [],
): Promise<void> {
  const bytes = await parquetBytes(con, selectSql, required, metadata, path);
  await replaceFileAtomic(path, (tmp) => writeFile(tmp, bytes));
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
