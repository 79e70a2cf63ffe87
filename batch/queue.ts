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
  pollMs = 500,
): Promise<void> {
  const queue = new Queue<PartJobData>(QUEUE_NAME, { connection: redisConnection(url) });
  const idOf = (p: JobPart) => partJobId(outDir, job.createdAt, p.name);
  const entry = (p: JobPart) => ({
    name: p.name,
    data: { outDir, part: p.index, modelSha256: job.model.sha256 },
    opts: { ...PART_JOB_OPTIONS, jobId: idOf(p) },
  });
  try {
    await queue.addBulk(parts.map(entry));
    // a part that failed in an earlier run of this job keeps its id: give it its attempts again
    const ours = new Set(parts.map(idOf));
    for (const j of await queue.getFailed()) if (j.id && ours.has(j.id)) await j.retry();
    const waiting = new Set(parts);
    for (let poll = 1; waiting.size > 0; poll++) {
      for (const p of [...waiting])
        if (existsSync(partPath(outDir, p, "json"))) {
          waiting.delete(p);
          onPart(p);
        }
      if (waiting.size === 0) break;
      const open = new Set([...waiting].map(idOf));
      const failed = (await queue.getFailed()).filter((j) => j.id && open.has(j.id));
      if (failed.length > 0)
        throw new BatchJobError(
          `parts failed: ${failed.map((j) => `${j.name} after ${j.attemptsMade} of ${PART_JOB_OPTIONS.attempts} attempts: ${j.failedReason}`).join("; ")}`,
        );
      // every ~10 s: a part whose job is gone (Redis restarted, removed by hand) or completed without its sidecar
      // (a lost write) is added again
      if (poll % Math.max(1, Math.round(10_000 / pollMs)) === 0)
        for (const p of waiting) {
          const state = await queue.getJobState(idOf(p));
          if (state !== "unknown" && state !== "completed") continue;
          if (existsSync(partPath(outDir, p, "json"))) continue;
          if (state === "completed") await (await queue.getJob(idOf(p)))?.remove();
          await queue.add(entry(p).name, entry(p).data, entry(p).opts);
        }
      await new Promise((r) => setTimeout(r, pollMs));
    }
  } finally {
    await queue.close();
  }
}
