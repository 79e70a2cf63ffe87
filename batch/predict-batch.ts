/** `predict-batch` as a function: prepare (or resume) the job, run its parts here or through a queue, write the manifest. */
import { readdir, rm } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { findModelDirs } from "../model/node/model-dirs.ts";
import { openBatchDb } from "./duckdb.ts";
import { BATCH_FILES, type JobOptions } from "./job.ts";
import { loadBatchModel } from "./load-model.ts";
import { type BatchManifest, writeManifest } from "./manifest.ts";
import { prepareJob } from "./prepare-job.ts";
import { startProgress } from "./progress.ts";
import { enqueueAndWait } from "./queue.ts";
import { pendingParts, runParts } from "./run-local.ts";
import { STAGING_FILES } from "./stage-input.ts";

/** Options of {@link predictBatch}. */
export interface PredictBatchOptions {
  drivers: string;
  sites: string;
  outDir: string;
  /** Model version directory; default the highest version of the shipped models/soilco2-lstm. */
  modelDir?: string | undefined;
  job: JobOptions;
  /** Worker sessions here (default: the machine's cores, at most 8). */
  sessions?: number | undefined;
  /** Parts in flight here (default sessions + 1). */
  inFlight?: number | undefined;
  /** `redis://host:port`: enqueue the parts for `soilco2 worker` processes instead of running them here. */
  queue?: string | undefined;
  progress?: boolean;
  log?: (line: string) => void;
}

/** Temp files a killed run left beside its parts (safe to remove when no other process writes here). */
async function removeStaleTemps(dir: string): Promise<void> {
  for (const f of await readdir(dir).catch(() => [] as string[]))
    if (f.startsWith(".") && f.endsWith(".tmp")) await rm(join(dir, f), { force: true });
}

/** The highest shipped model version directory. */
export async function defaultModelDir(): Promise<string> {
  const dirs = await findModelDirs(fileURLToPath(new URL("../models/soilco2-lstm", import.meta.url)));
  return dirs[dirs.length - 1]!;
}

/** Default sessions on this machine. */
export const defaultSessions = () => Math.max(1, Math.min(8, availableParallelism()));

/**
 * Run a batch prediction end to end (see docs/batch.md); a rerun on the same `outDir` resumes.
 * @throws {InputError} for a missing or unusable input; {@link ArtefactError} for an `outDir` of another job
 */
export async function predictBatch(o: PredictBatchOptions): Promise<BatchManifest> {
  const log = o.log ?? (() => {});
  const outDir = resolve(o.outDir);
  const db = await openBatchDb(join(outDir, STAGING_FILES.dir, "tmp"));
  try {
    const modelDir = o.modelDir ?? (await defaultModelDir());
    const prepared = await prepareJob(db, {
      drivers: o.drivers,
      sites: o.sites,
      outDir,
      modelDir,
      options: o.job,
    });
    const { job } = prepared;
    const pending = await pendingParts(outDir, job);
    const done = job.parts.filter((p) => !pending.includes(p)).reduce((n, p) => n + p.siteDays, 0);
    log(
      `${prepared.resumed ? "resuming" : "planned"} ${job.parts.length} parts, ${job.totalSiteDays} site-days of ${job.parts.reduce((n, p) => n + p.sites, 0)} sites; ${pending.length} parts to run`,
    );
    const bar = o.progress === false ? undefined : startProgress(job.totalSiteDays, done, pending.length);
    try {
      if (o.queue) await enqueueAndWait(o.queue, outDir, job, pending, (p) => bar?.advance(p.siteDays));
      else if (pending.length > 0) {
        await removeStaleTemps(join(outDir, BATCH_FILES.parts));
        const sessions = o.sessions ?? defaultSessions();
        const model = await loadBatchModel(job.modelDir, sessions, { expectSha256: job.model.sha256, log });
        try {
          await runParts(db, outDir, job, pending, model, o.inFlight ?? sessions + 1, (p) =>
            bar?.advance(p.siteDays),
          );
        } finally {
          await model.release();
        }
      }
    } finally {
      bar?.stop();
    }
    return await writeManifest(outDir, job, prepared.issues);
  } finally {
    db.close();
  }
}
