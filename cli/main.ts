/** The `soilco2` command line: one sub-command per job, each defined in its own file. */
import { Command } from "commander";
import { isSoilco2Error } from "../core/errors.ts";
import { PACKAGE_VERSION } from "../io/package-version.ts";
import { registerCalibrate } from "./calibrate.ts";
import { registerEvaluate } from "./evaluate.ts";
import { registerExport } from "./export.ts";
import { registerIngest } from "./ingest.ts";
import { registerInterval } from "./interval.ts";
import { registerPredictBatch } from "./predict-batch.ts";
import { registerReference } from "./reference.ts";
import { registerScore } from "./score.ts";
import { registerServe } from "./serve.ts";
import { registerSyntheticSeries } from "./synthetic-series.ts";
import { registerTrain } from "./train.ts";
import { registerWorker } from "./worker.ts";

/**
 * Build the program with every sub-command registered (exported for tests).
 * @param beforeAction run once before any command's action (not for --help or a parse error): bin/soilco2.js
 *   registers the TypeScript loader there when it runs the prebuilt CLI bundle (cli/build-cli.ts)
 */
export function buildProgram(beforeAction?: () => Promise<void>): Command {
  const program = new Command("soilco2")
    .description("Daily soil CO2 efflux: ingest COSORE, train and evaluate an LSTM, export ONNX, serve it.")
    .version(PACKAGE_VERSION)
    .showHelpAfterError("(run with --help for the options)");
  if (beforeAction) program.hook("preAction", beforeAction);
  registerExport(program);
  registerIngest(program);
  registerServe(program);
  registerTrain(program);
  registerEvaluate(program);
  registerReference(program);
  registerScore(program);
  registerCalibrate(program);
  registerInterval(program);
  registerPredictBatch(program);
  registerWorker(program);
  registerSyntheticSeries(program);
  return program;
}

/**
 * Run the CLI: a {@link Soilco2Error} prints its message and hint on one line and exits 1; a system error
 * (`ENOENT`, `EACCES`, ...) prints one line too; anything else (a bug) prints its stack and exits 2.
 */
export async function main(
  argv: string[],
  name = "soilco2",
  beforeAction?: () => Promise<void>,
): Promise<void> {
  try {
    await buildProgram(beforeAction).parseAsync(argv);
  } catch (err) {
    reportError(err, name);
  }
}

/** Print an error the way {@link main} does and set the exit code. */
export function reportError(err: unknown, name: string): void {
  const sys = err as NodeJS.ErrnoException | null;
  if (isSoilco2Error(err)) {
    console.error(`${name}: ${err.message}`);
    process.exitCode = 1;
  } else if (sys && typeof sys.code === "string" && typeof sys.syscall === "string") {
    console.error(`${name}: ${sys.message} (check the path or permission it names)`);
    process.exitCode = 1;
  } else {
    console.error(err);
    process.exitCode = 2;
  }
}
