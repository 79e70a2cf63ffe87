/** `soilco2 worker`: a BullMQ worker that runs queued parts with the same code as a single-machine run; a part already written is skipped (idempotent). */

import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { UnrecoverableError, Worker } from "bullmq";
import { ArtefactError } from "../core/errors.ts";
import { type BatchDb, openBatchDb } from "./duckdb.ts";
import { type BatchJob, readJob } from "./job.ts";
import { type BatchModel, loadBatchModel } from "./load-model.ts";
import { type PartJobData, QUEUE_NAME, redisConnection } from "./queue-connection.ts";
import { writerName } from "./run-local.ts";
import { finishedPart, runPart } from "./run-part.ts";

/** Options of {@link startWorker}. */
export interface WorkerOptions {
  queue: string;
  /** onnxruntime sessions in this process (one thread each). */
  sessions: number;
  /** Parts this process runs at once (default sessions + 1). */
  concurrency?: number | undefined;
  /** How long a part's lock lasts without renewal: a worker that dies loses its parts to others after this (ms). */
  lockMs?: number | undefined;
  /**
   * A model version directory opened (golden sets checked) before the worker takes parts, so its first part does not
   * wait for it and a broken model stops the worker at start; jobs planned with another model still open theirs.
   */
  modelDir?: string | undefined;
  log?: (line: string) => void;
}

/**
 * Start a worker: it opens each job's model once (by sha256; `modelDir` at start) and runs parts until `close()`.
 * @throws {InputError} for a `queue` that is not a redis:// URL; {@link ArtefactError} when `modelDir` does not load
 *   (either way nothing is left open)
 * @example const w = await startWorker({ queue: "redis://127.0.0.1:6379", sessions: 1 }); await w.close();
 */
export async function startWorker(o: WorkerOptions): Promise<{ close(): Promise<void> }> {
  const log = o.log ?? (() => {});
  const connection = redisConnection(o.queue); // a bad --queue is refused before anything is opened
  const tempDir = join(tmpdir(), `soilco2-worker-${process.pid}`);
  const db: BatchDb = await openBatchDb(tempDir);
  const models = new Map<string, Promise<BatchModel>>();
  const jobs = new Map<string, BatchJob>();
  const lockDuration = o.lockMs ?? 30_000;
  let worker: Worker<PartJobData> | undefined;
  const close = async () => {
    await worker?.close();
    for (const m of models.values()) await m.then((x) => x.release()).catch(() => {});
    db.close();
    await rm(tempDir, { recursive: true, force: true });
  };
  try {
    if (o.modelDir) {
      const preloaded = await loadBatchModel(o.modelDir, o.sessions, { log });
      models.set(preloaded.identity.sha256, Promise.resolve(preloaded));
    }
    worker = new Worker<PartJobData>(
      QUEUE_NAME,
      async (bj) => {
        const { outDir, part: index, modelSha256 } = bj.data;
        let job = jobs.get(outDir);
        if (!job || job.model.sha256 !== modelSha256) {
          // a job of another format or model can never succeed here: fail it at once instead of retrying
          job = await readJob(outDir).catch((err: unknown) => {
            throw err instanceof ArtefactError ? new UnrecoverableError(err.message) : err;
          });
          if (!job)
            throw new ArtefactError(
              outDir,
              "has no job.json",
              "mount the same output directory on every worker",
            );
          jobs.set(outDir, job);
        }
        if (job.model.sha256 !== modelSha256)
          throw new UnrecoverableError(
            new ArtefactError(
              outDir,
              "job.json names another model than the queued job",
              "re-run predict-batch",
            ).message,
          );
        const part = job.parts[index];
        if (!part)
          throw new UnrecoverableError(
            new ArtefactError(outDir, `job.json has no part ${index}`, "re-run predict-batch").message,
          );
        if (await finishedPart(outDir, part)) return { part: part.name, skipped: true };
        let model = models.get(modelSha256);
        if (!model) {
          model = loadBatchModel(job.modelDir, o.sessions, { expectSha256: modelSha256, log });
          models.set(modelSha256, model);
          model.catch(() => models.delete(modelSha256));
        }
        const m = await model;
        log(`${part.name}: started (attempt ${bj.attemptsMade + 1})`);
        const con = await db.connect();
        try {
          const rec = await runPart(con, outDir, job, part, m, writerName());
          log(`${part.name}: ${rec.rows} site-days written`);
          return { part: part.name, rows: rec.rows };
        } finally {
          con.closeSync();
        }
      },
      {
        connection,
        concurrency: o.concurrency ?? o.sessions + 1,
        lockDuration,
        stalledInterval: Math.max(1000, Math.floor(lockDuration / 2)),
        maxStalledCount: 5,
      },
    );
    worker.on("failed", (j, err) =>
      log(`${j?.name ?? "job"} failed (attempt ${j?.attemptsMade ?? "?"}): ${err.message}`),
    );
    worker.on("error", (err) => log(`worker: ${err.message}`));
    await worker.waitUntilReady();
  } catch (err) {
    await close().catch(() => {});
    throw err;
  }
  return { close };
}
