/** The batch progress bar (cli-progress): site-days done of the total, site-days/s and ETA; a plain line per part when stderr is not a terminal. */
import cliProgress from "cli-progress";

/** Progress of a run: `advance` after each part. */
export interface BatchProgress {
  advance(siteDays: number): void;
  stop(): void;
}

/**
 * A bar over `total` site-days, `done` of them already written (a resumed run).
 * @param stream where it draws (default stderr); without a TTY it logs one line per part instead
 */
export function startProgress(
  total: number,
  done: number,
  parts: number,
  stream: NodeJS.WriteStream = process.stderr,
): BatchProgress {
  const t0 = performance.now();
  let value = done;
  let partsDone = 0;
  const rate = () => Math.round((value - done) / Math.max(1e-3, (performance.now() - t0) / 1000));
  if (!stream.isTTY)
    return {
      advance(n) {
        value += n;
        partsDone++;
        stream.write(`part ${partsDone}/${parts}: ${value}/${total} site-days, ${rate()} site-days/s\n`);
      },
      stop() {},
    };
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format:
        "predict-batch {bar} {percentage}% | {value}/{total} site-days | {speed} site-days/s | ETA {eta_formatted}",
      etaBuffer: 20,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, done, { speed: 0 });
  return {
    advance(n) {
      value += n;
      bar.update(value, { speed: rate() });
    },
    stop: () => bar.stop(),
  };
}
