/** Atomic file writes for Node: write a temporary file beside the target, fsync, then rename over it. */
import { randomBytes } from "node:crypto";
import { mkdir, open, rename, rm } from "node:fs/promises";
import { dirname, join } from "node:path";

/** Temporary path beside `target` (same directory, so the rename never crosses file systems). */
export function tempPathFor(target: string): string {
  return join(dirname(target), `.${randomBytes(6).toString("hex")}.tmp`);
}

/**
 * Write `data` to `target` atomically: readers see the old file or the new one, never half of it.
 * @example await writeFileAtomic("runs/x/config.json", JSON.stringify(cfg))
 */
export async function writeFileAtomic(target: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(target), { recursive: true });
  const tmp = tempPathFor(target);
  try {
    const fh = await open(tmp, "w");
    try {
      await fh.writeFile(data);
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

/** Write JSON (2-space indented, trailing newline) atomically. */
export async function writeJsonAtomic(target: string, value: unknown): Promise<void> {
  await writeFileAtomic(target, `${JSON.stringify(value, null, 2)}\n`);
}
