/** The BullMQ side of a batch: the queue's name, a Redis URL turned into connection options, and the job options that give at-least-once delivery with retries. */
import { createHash } from "node:crypto";
import type { ConnectionOptions, JobsOptions } from "bullmq";
import { InputError } from "../core/errors.ts";

/** The queue every `predict-batch --queue` and `soilco2 worker` share. */
export const QUEUE_NAME = "soilco2-batch";

/** What a queued job carries: the output directory (on storage every worker mounts) and the part. */
export interface PartJobData {
  outDir: string;
  part: number;
  /** sha256 of the job's model.onnx: a worker with another model fails the job instead of writing it. */
  modelSha256: string;
}

/**
 * Connection options from `redis://[user:password@]host:port[/db]`.
 * @throws {InputError} for another scheme or a malformed URL
 */
export function redisConnection(url: string): ConnectionOptions {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new InputError("--queue", `"${url}" is not a URL`, "use redis://host:port");
  }
  if (u.protocol !== "redis:")
    throw new InputError("--queue", `"${url}" is not a redis:// URL`, "use redis://host:port");
  const db = u.pathname.replace(/^\//, "");
  return {
    host: u.hostname.replace(/^\[|\]$/g, ""),
    port: u.port ? Number(u.port) : 6379,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(db ? { db: Number(db) } : {}),
    maxRetriesPerRequest: null,
  };
}

/** Retries with exponential backoff (1 s, 2 s, 4 s, …); completed jobs removed (the part files are the record). */
export const PART_JOB_OPTIONS: JobsOptions = {
  attempts: 5,
  backoff: { type: "exponential", delay: 1000 },
  removeOnComplete: true,
  removeOnFail: false,
};

/** The job id of a part: stable for one output directory and job, so enqueueing twice adds it once. */
export function partJobId(outDir: string, createdAt: string, part: string): string {
  const key = createHash("sha256").update(`${outDir}\u0000${createdAt}`).digest("hex").slice(0, 16);
  return `${key}-${part}`;
}
