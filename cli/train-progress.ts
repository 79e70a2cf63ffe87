/** Training progress on the terminal: a bar per epoch with ETA and running losses, or one line per epoch. */
import cliProgress from "cli-progress";
import type { TrainHooks } from "../training/train-loop.ts";

/** The hooks factory runTrain takes, plus `stopAll()` to stop a running bar (Ctrl-C: cursor and wrapping back). */
export type ProgressHooks = ((
  fold: number | null,
  _experiment: unknown,
  member: number,
  members: number,
) => TrainHooks) & { stopAll(): void };

/** Progress bar per epoch with ETA and the running losses (plain lines when stderr is not a terminal). */
export function progressHooks(quiet: boolean): ProgressHooks {
  let running: cliProgress.SingleBar | undefined;
  // set by stopAll: training goes on for a moment after Ctrl-C, and a next epoch's bar must not hide the cursor again
  let stopped = false;
  const factory = (
    fold: number | null,
    _experiment: unknown,
    member: number,
    members: number,
  ): TrainHooks => {
    const tag = `${fold === null ? "" : `fold ${fold + 1} `}${members > 1 ? `member ${member + 1}/${members} ` : ""}`;
    if (quiet) return {};
    if (!process.stderr.isTTY) {
      return {
        onEpochEnd: (r, improved) =>
          console.error(
            `${tag}epoch ${r.epoch}: train ${r.trainLoss.toFixed(4)} val ${r.valLoss.toFixed(4)} val median NSE ${r.valMedianNse.toFixed(3)} (${r.seconds.toFixed(1)} s)${improved ? " *" : ""}`,
          ),
      };
    }
    const bar = new cliProgress.SingleBar(
      {
        format: `${tag}epoch {epoch} [{bar}] {value}/{total} batches | ETA {eta_formatted} | train {loss} | {last}`,
        stream: process.stderr,
        hideCursor: true,
        clearOnComplete: false,
      },
      cliProgress.Presets.shades_classic,
    );
    let last = "";
    return {
      onEpochStart: (epoch, batches) => {
        if (stopped) return;
        running = bar;
        bar.start(batches, 0, { epoch, loss: "…", last });
      },
      onBatch: (_e, b, _n, loss) => {
        if (!stopped) bar.update(b, { loss: loss.toFixed(4) });
      },
      onEpochEnd: (r, improved) => {
        if (stopped) return;
        last = `val ${r.valLoss.toFixed(4)} NSE ${r.valMedianNse.toFixed(3)}${improved ? " *" : ""}`;
        bar.update({ last });
        bar.stop();
        running = undefined;
      },
    };
  };
  return Object.assign(factory, {
    stopAll: () => {
      stopped = true;
      running?.stop();
      running = undefined;
    },
  });
}
