/** `predict-batch --queue`: enqueue a job's unfinished parts on BullMQ and wait until every part is written (or one has failed all its attempts). */
import { existsSync } from "node:fs";
import { Queue } from "bullmq";
import { Soilco2Error } from "../core/errors.ts";
import type { BatchJob, JobPart } from "./job.ts";
import { partPath } from "./job.ts";
import {
  PART_JOB_OPTIONS,
  type PartJobData,
  partJobId,
  QUEUE_NAME,
  redisConnection,
} from "./queue-connection.ts";

/** A part that failed on every attempt. */
export class BatchJobError extends Soilco2Error {
  constructor(message: string) {
    super("batch_failed", message, "fix the cause and run the same command again: finished parts are kept");
  }
}

/**
 * Add one BullMQ job per part (idempotent job ids) and poll until each part's sidecar exists. A job that vanished
 * before its part was written (removed by hand, Redis restarted) is added again; a failed one ends the wait.
 * @param onPart called once per part as it is written
 * @throws {BatchJobError} naming the parts that failed and why
 */
export async function enqueueAndWait(
  url: string,
  outDir: string,
  job: BatchJob,
  parts: readonly JobPart[],
  onPart: (part: JobPart) => void,
  pollMs = 300,
): Promise<void> {
  const queue = new Queue<PartJobData>(QUEUE_NAME, { connection: redisConnection(url) });
  try {
    const add = (p: JobPart) =>
      queue.add(
        p.name,
        { outDir, part: p.index, modelSha256: job.model.sha256 },
        { ...PART_JOB_OPTIONS, jobId: partJobId(outDir, job.createdAt, p.name) },
      );
    await queue.addBulk(
      parts.map((p) => ({
        name: p.name,
        data: { outDir, part: p.index, modelSha256: job.model.sha256 },
        opts: { ...PART_JOB_OPTIONS, jobId: partJobId(outDir, job.createdAt, p.name) },
      })),
    );
    const waiting = new Set(parts);
    while (waiting.size > 0) {
      const failed: string[] = [];
      for (const p of [...waiting]) {
        if (existsSync(partPath(outDir, p, "json"))) {
          waiting.delete(p);
          onPart(p);
          continue;
        }
        const id = partJobId(outDir, job.createdAt, p.name);
        const state = await queue.getJobState(id);
        if (state === "failed")
          failed.push(`${p.name}: ${(await queue.getJob(id))?.failedReason ?? "failed"}`);
        else if (state === "unknown" || state === "completed") {
          // completed without its sidecar, or gone: only a lost write can do that, so run it again
          if (state === "completed") await (await queue.getJob(id))?.remove();
          if (!existsSync(partPath(outDir, p, "json"))) await add(p);
        }
      }
      if (failed.length > 0)
        throw new BatchJobError(
          `parts failed after ${PART_JOB_OPTIONS.attempts} attempts: ${failed.join("; ")}`,
        );
      if (waiting.size > 0) await new Promise((r) => setTimeout(r, pollMs));
    }
  } finally {
    await queue.close();
  }
}
