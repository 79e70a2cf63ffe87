// predict-batch over BullMQ on a real Redis (Debian's redis-server, installed by .ci/run) on a loopback port: three
// `soilco2 worker` processes, one killed with SIGKILL mid-run; no part is lost or duplicated and the output equals the
// single-machine run.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Job, Queue } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PART_JOB_OPTIONS, QUEUE_NAME, redisConnection } from "../batch/queue-connection.ts";
import {
  BATCH_TEST_MODEL,
  predictBatchArgs,
  readOutput,
  soilco2,
  soilco2Background,
  writeFixture,
} from "./helpers/batch-fixtures.ts";

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

describe("predict-batch --queue with three workers, one killed", () => {
  const dir = mkdtempSync(join(tmpdir(), "soilco2-queue-"));
  let redis: ChildProcess;
  let url = "";
  const workers: ReturnType<typeof soilco2Background>[] = [];

  beforeAll(async () => {
    const port = await freePort();
    url = `redis://127.0.0.1:${port}`;
    redis = spawn(
      "redis-server",
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    await new Promise<void>((resolve, reject) => {
      redis.once("error", (err) =>
        reject(new Error(`redis-server did not start (${err.message}); .ci/run installs it with apt-get`)),
      );
      redis.stdout!.on("data", (d) => {
        if (String(d).includes("Ready to accept connections")) resolve();
      });
    });
  }, 30_000);

  afterAll(async () => {
    for (const w of workers) if (w.child.exitCode === null) w.child.kill("SIGTERM");
    await Promise.all(workers.map((w) => w.exited));
    redis?.kill("SIGTERM");
  });

  it("loses and duplicates no part, and equals the single-machine run (≤ 1e-6 relative)", async () => {
    const sites = Array.from({ length: 80 }, (_, i) => ({
      site: `Q${String(i).padStart(2, "0")}`,
      start: "2001-01-01",
      days: 2200 + i * 7,
      gapEvery: 6,
    }));
    const files = writeFixture(dir, sites);
    const args = (out: string) =>
      predictBatchArgs(files.drivers, files.sites, out, "--part-site-days", "5000");
    const single = soilco2([...args(join(dir, "single")), "--sessions", "1"]);
    expect(single.status, single.stderr).toBe(0);

    // the third worker opens the job's model at start (--model); the others at their first part
    for (let i = 0; i < 3; i++)
      workers.push(
        soilco2Background([
          "worker",
          "--queue",
          url,
          "--lock-ms",
          "2000",
          ...(i === 2 ? ["--model", BATCH_TEST_MODEL] : []),
        ]),
      );
    const run = soilco2Background([...args(join(dir, "queued")), "--queue", url]);
    const victim = workers[0]!;
    const deadline = Date.now() + 90_000;
    while (!/site-days written/.test(victim.log()) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 10));
    expect(victim.log(), "the first worker wrote a part before it was killed").toMatch(/site-days written/);
    victim.child.kill("SIGKILL");
    const code = await Promise.race([
      run.exited,
      new Promise((r) => setTimeout(() => r("timeout"), 150_000)),
    ]);
    expect(code, run.log()).toBe(0);

    const out = join(dir, "queued");
    const job = JSON.parse(readFileSync(join(out, "job.json"), "utf8"));
    const manifest = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8"));
    const files_ = readdirSync(join(out, "parts"))
      .filter((f) => f.endsWith(".parquet"))
      .sort();
    expect(files_.length).toBe(job.parts.length);
    expect(manifest.parts.map((p: { name: string }) => `${p.name}.parquet`)).toEqual(files_);
    const got = await readOutput(out);
    const want = await readOutput(join(dir, "single"));
    expect(new Set(got.map((r) => `${r[0]} ${r[1]}`)).size).toBe(got.length);
    expect(got.length).toBe(want.length);
    let worst = 0;
    got.forEach((r, i) => {
      const w = want[i]!;
      expect([r[0], r[1], r[5], r[6], r[7]]).toEqual([w[0], w[1], w[5], w[6], w[7]]);
      worst = Math.max(worst, Math.abs(r[2] - w[2]) / Math.abs(w[2]));
    });
    expect(worst).toBeLessThanOrEqual(1e-6);
    // the parts the killed worker held went to the others: every part written by a live worker or before the kill
    const writers = new Set(
      job.parts.map(
        (p: { name: string }) =>
          JSON.parse(readFileSync(join(out, "parts", `${p.name}.json`), "utf8")).writer,
      ),
    );
    expect(writers.size).toBeGreaterThanOrEqual(2);
    // the preloading worker opened the model before it waited for parts, and once: its parts reused it
    const preloaded = workers[2]!.log();
    expect(preloaded.indexOf("loaded soilco2-lstm")).toBeGreaterThanOrEqual(0);
    expect(preloaded.indexOf("loaded soilco2-lstm")).toBeLessThan(preloaded.indexOf("waiting for parts"));
    expect(preloaded.match(/loaded soilco2-lstm/g)?.length).toBe(1);
    expect(preloaded).toMatch(/site-days written/);
  }, 240_000);

  it("fails a part of a job written in another format at once, without retries", async () => {
    const old = join(dir, "old-format");
    mkdirSync(old, { recursive: true });
    writeFileSync(join(old, "job.json"), JSON.stringify({ formatVersion: 1, parts: [] }));
    const worker = soilco2Background(["worker", "--queue", url]);
    workers.push(worker);
    const queue = new Queue(QUEUE_NAME, { connection: redisConnection(url) });
    try {
      const job = await queue.add(
        "chunk-00000",
        { outDir: old, part: 0, modelSha256: "0".repeat(64) },
        { ...PART_JOB_OPTIONS, jobId: "old-format-chunk-00000" },
      );
      const deadline = Date.now() + 20_000;
      while ((await job.getState()) !== "failed" && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      const failed = await Job.fromId(queue, job.id!);
      expect(await failed!.getState()).toBe("failed");
      expect(failed!.attemptsMade, "an unrecoverable error is not retried").toBe(1);
      expect(failed!.failedReason).toMatch(/is a job of format 1/);
    } finally {
      await queue.close();
    }
  }, 60_000);
});
