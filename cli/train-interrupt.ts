/** Ctrl-C (SIGINT) and SIGTERM during `soilco2 train`: stop the progress bar, give the terminal back, say how to resume. */
import { rm } from "node:fs/promises";

/** Show the cursor and turn line wrapping back on (what a progress bar hides). */
export const RESTORE_TERMINAL = "\u001b[?25h\u001b[?7h";

/**
 * Run `train` with signal handlers: on the first SIGINT/SIGTERM the bar is stopped, the terminal restored and
 * the resume command printed (or, before any checkpoint of a new run, its directory removed), then exit 130.
 * @example await interruptible("runs/x", false, hooks.stopAll, () => runTrain(...))
 */
export async function interruptible<T>(
  runDir: string,
  resuming: boolean,
  stopBars: () => void,
  train: () => Promise<T>,
): Promise<T> {
  const onSignal = (signal: NodeJS.Signals) => {
    stopBars();
    if (process.stderr.isTTY) process.stderr.write(RESTORE_TERMINAL);
    void (async () => {
      const { hasCheckpoint } = await import("../training/run-train.ts");
      if (resuming || (await hasCheckpoint(runDir))) {
        console.error(`\n${signal}: training stopped; resume with: soilco2 train --resume ${runDir}`);
      } else {
        await rm(runDir, { recursive: true, force: true });
        console.error(
          `\n${signal}: training stopped before its first checkpoint; nothing kept (${runDir} removed)`,
        );
      }
      process.exit(130);
    })();
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    return await train();
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}
