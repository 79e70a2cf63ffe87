/** Output files, written atomically (temp file in the same folder, then rename): Parquet through DuckDB, JSON through fs. */
import { mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { rename, rm, unlink, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { DAILY_FILES } from "../core/daily-table.ts";
import { ArtefactError } from "../core/errors.ts";
import { exec, sqlIdent, sqlString } from "./sql.ts";

function tempPath(path: string): string {
  return join(
    dirname(path),
    `.${basename(path)}.${process.pid}.${Math.random().toString(36).slice(2, 8)}.tmp`,
  );
}

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

/** Write `value` as pretty JSON to `path`: temp file, then rename over the target. */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  const tmp = tempPath(path);
  try {
    await writeFile(tmp, `${JSON.stringify(value, null, 2)}\n`);
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

/**
 * Write the rows of a SELECT to a Parquet file: DuckDB COPY to a temp file, then rename over the target.
 * @param metadata key-value metadata of the file (e.g. core/daily-table.ts `parquetMetadata`)
 */
export async function writeParquetAtomic(
  con: DuckDBConnection,
  selectSql: string,
  path: string,
  metadata: Readonly<Record<string, string>> = {},
): Promise<void> {
  const tmp = tempPath(path);
  const kv = Object.entries(metadata).map(([k, v]) => `${sqlIdent(k)}: ${sqlString(v)}`);
  const kvOption = kv.length > 0 ? `, KV_METADATA {${kv.join(", ")}}` : "";
  try {
    await exec(con, `COPY (${selectSql}) TO ${sqlString(tmp)} (FORMAT parquet, COMPRESSION zstd${kvOption})`);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
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
