/** Run a prepared job's unfinished parts on this machine: a few parts in flight so reading and writing overlap inference on the session pool. */

import { createRequire } from "node:module";
import { hostname } from "node:os";
import type { BatchDb } from "./duckdb.ts";
import type { BatchJob, JobPart } from "./job.ts";
import { finishedPart, type PartModel, type PartRecord, runPart } from "./run-part.ts";

const { version } = createRequire(import.meta.url)("../package.json") as { version: string };

/** Who writes a part: `soilco2 <version> (<host>:<pid>)`. */
export function writerName(): string {
  return `soilco2 ${version} (${hostname()}:${process.pid})`;
}

/** The parts of `job` not finished yet in `outDir` (a rerun skips the others). */
export async function pendingParts(outDir: string, job: BatchJob): Promise<JobPart[]> {
  const out: JobPart[] = [];
  for (const p of job.parts) if (!(await finishedPart(outDir, p))) out.push(p);
  return out;
}

/**
 * Run `parts` with `inFlight` of them at once (each on its own DuckDB connection), calling `onPart` as each is
 * written. A part that fails stops the run after the parts in flight finish (it is retried by a rerun).
 */
export async function runParts(
  db: BatchDb,
  outDir: string,
  job: BatchJob,
  parts: readonly JobPart[],
  model: PartModel,
  inFlight: number,
  onPart: (part: JobPart, record: PartRecord) => void,
): Promise<void> {
  let next = 0;
  let failure: unknown;
  const lane = async () => {
    const con = await db.connect();
    while (failure === undefined && next < parts.length) {
      const part = parts[next++]!;
      try {
        onPart(part, await runPart(con, outDir, job, part, model, writerName()));
      } catch (err) {
        failure ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(inFlight, parts.length)) }, lane));
  if (failure !== undefined) throw failure;
}
