/** Atomic file writes for Node: write a temporary file beside the target, fsync, then rename over it. */
import { randomBytes } from "node:crypto";
import { mkdir, open, rename, rm } from "node:fs/promises";
import { dirname, join } from "node:path";

/** Temporary path beside `target` (same directory, so the rename never crosses file systems). */
function tempPathFor(target: string): string {
  return join(dirname(target), `.${randomBytes(6).toString("hex")}.tmp`);
}

/** Write a file and fsync it, so a rename (of it, or of the directory holding it) never publishes bytes the disk has not got. */
export async function writeFileSynced(path: string, data: string | Uint8Array): Promise<void> {
  const fh = await open(path, "w");
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Make `target` atomically with a writer that needs a path (DuckDB `COPY ... TO`, say): `produce` writes the
 * temporary path beside it, which is then fsynced and renamed over `target`; on failure it is removed.
 * @example await replaceFileAtomic("out/daily.parquet", (tmp) => con.run(`COPY (...) TO '${tmp}'`))
 */
export async function replaceFileAtomic(
  target: string,
  produce: (tmp: string) => Promise<unknown>,
): Promise<void> {
  await mkdir(dirname(target), { recursive: true });
  const tmp = tempPathFor(target);
  try {
    await produce(tmp);
    const fh = await open(tmp, "r+");
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, target);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/**
 * Write `data` to `target` atomically: readers see the old file or the new one, never half of it.
 * @example await writeFileAtomic("runs/x/config.json", JSON.stringify(cfg))
 */
export async function writeFileAtomic(target: string, data: string | Uint8Array): Promise<void> {
  await replaceFileAtomic(target, (tmp) => writeFileSynced(tmp, data));
}

/** Write JSON (2-space indented, trailing newline) atomically. */
export async function writeJsonAtomic(target: string, value: unknown): Promise<void> {
  await writeFileAtomic(target, `${JSON.stringify(value, null, 2)}\n`);
}
