/** `soilco2 worker`: run predict-batch parts from a BullMQ queue on Redis, on any number of machines (docs/batch.md). */
import type { Command } from "commander";
import { intIn } from "./parse-options.ts";

/** Register `worker` on the program. */
export function registerWorker(program: Command): void {
  program
    .command("worker")
    .description(
      "run the parts `predict-batch --queue` enqueues, until stopped (SIGTERM/SIGINT finish the parts in hand)",
    )
    .requiredOption("--queue <url>", "redis://host:port")
    .option("--sessions <n>", "onnxruntime sessions, one thread each", intIn(1, 64), 1)
    .option("--concurrency <n>", "parts at once (default sessions + 1)", intIn(1, 64))
    .option(
      "--model <dir>",
      "open this model version directory at start (golden sets checked) instead of at the first part",
    )
    .option("--lock-ms <ms>", "a dead worker's parts go to others after this long", intIn(1000), 30_000)
    .action(async (o) => {
      const { startWorker } = await import("../batch/queue-worker.ts");
      const w = await startWorker({
        queue: o.queue,
        sessions: o.sessions,
        concurrency: o.concurrency,
        lockMs: o.lockMs,
        modelDir: o.model,
        log: (line) => console.error(line),
      });
      console.error(`worker ${process.pid} waiting for parts on ${o.queue}`);
      await new Promise<void>((resolve) => {
        const stop = () => {
          void w.close().then(resolve);
        };
        process.once("SIGTERM", stop);
        process.once("SIGINT", stop);
      });
    });
}
