/** Publish a directory atomically: fill a hidden temporary sibling, then rename it into place (Node). */
import { randomBytes } from "node:crypto";
import { mkdir, readdir, rename, rm, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { ArtefactError } from "../core/errors.ts";

/** True if `dir` exists and holds at least one entry. @throws {ArtefactError} if it exists but is not a directory */
export async function isNonEmptyDir(dir: string): Promise<boolean> {
  let s: Awaited<ReturnType<typeof stat>>;
  try {
    s = await stat(dir);
  } catch {
    return false;
  }
  if (!s.isDirectory()) throw new ArtefactError(dir, "exists and is not a directory", "choose another --out");
  return (await readdir(dir)).length > 0;
}

/**
 * Build a directory in `.<name>.tmp-<random>` beside `target`, then rename it to `target`. Readers see the old
 * directory (or none) or the complete new one, never a half-written one. An existing non-empty `target` is
 * refused unless `force`; with `force` it is moved aside and removed after the new one is in place.
 * @throws {ArtefactError} if `target` is non-empty and `force` is not set (nothing is written)
 * @example await publishDir("models/m", async (tmp) => writeFileSynced(join(tmp, "a.txt"), "a"), { force: true }) // io/atomic-write.ts
 */
export async function publishDir(
  target: string,
  fill: (tmpDir: string) => Promise<void>,
  opts: { force?: boolean } = {},
): Promise<void> {
  if ((await isNonEmptyDir(target)) && !opts.force)
    throw new ArtefactError(
      target,
      "exists and is not empty",
      "pass --force to replace it, or choose another --out",
    );
  const parent = dirname(target);
  await mkdir(parent, { recursive: true });
  const tag = randomBytes(4).toString("hex");
  const tmp = join(parent, `.${basename(target)}.tmp-${tag}`);
  const old = join(parent, `.${basename(target)}.old-${tag}`);
  await mkdir(tmp);
  try {
    await fill(tmp);
    let movedAside = false;
    try {
      await rename(target, old);
      movedAside = true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    }
    try {
      await rename(tmp, target);
    } catch (err) {
      if (movedAside) await rename(old, target);
      throw err;
    }
    if (movedAside) await rm(old, { recursive: true, force: true });
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}
