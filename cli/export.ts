/** `soilco2 export <run dir> --out <model dir>`: the trained run as a self-describing ONNX model directory (the exporter loads only when it runs). */
import type { Command } from "commander";
import type { ExportResult } from "../export/export-run.ts";
import { DEFAULT_MODEL_NAME } from "../model/model-name.ts";

/** Human-readable size, e.g. `12.3 kB`. */
function size(bytes: number): string {
  return bytes < 1000
    ? `${bytes} B`
    : bytes < 1e6
      ? `${(bytes / 1e3).toFixed(1)} kB`
      : `${(bytes / 1e6).toFixed(2)} MB`;
}

/** The lines `soilco2 export` prints: files with sizes, sha256, parity check, time. */
export function formatExportReport(r: ExportResult): string[] {
  const total = r.files.reduce((n, f) => n + f.bytes, 0);
  return [
    `exported ${r.name} ${r.version} to ${r.outDir}`,
    ...r.files.map((f) => `  ${f.path.padEnd(32)} ${size(f.bytes).padStart(10)}`),
    `  ${"total".padEnd(32)} ${size(total).padStart(10)}`,
    `model.onnx sha256 ${r.sha256}`,
    `ONNX IR ${r.manifest.model.irVersion}, opset ${r.manifest.model.opsetVersion}; golden sets: ${r.manifest.golden.sets.length} (${r.manifest.golden.source}), reference tfjs on ${r.reference.name}${r.reference.note ? ` (${r.reference.note})` : ""}`,
    `onnxruntime-node vs tfjs: max abs ${r.parity.maxAbs.toExponential(2)}, max rel ${r.parity.maxRel.toExponential(2)} over ${r.parity.values} values (tolerance ${r.manifest.golden.tolerance.abs} abs or ${r.manifest.golden.tolerance.rel} rel)`,
    `done in ${r.seconds.toFixed(2)} s (onnxruntime-node session load ${(r.ortLoadSeconds * 1000).toFixed(0)} ms)`,
  ];
}

/**
 * Add the `export` sub-command to a program. Turns on the program's positional options, so
 * `export --version <v>` is the model version and only `soilco2 --version` (before the sub-command) prints the
 * package version.
 */
export function registerExport(program: Command): Command {
  program.enablePositionalOptions();
  return defineExport(program.command("export"));
}

/** Give `cmd` the export arguments, options and action (bin/soilco2-export.js: a program that is only this). */
export function defineExport(cmd: Command): Command {
  return cmd
    .description("export a finished run as model.onnx + manifest.json + MODEL_CARD.md + golden test data")
    .argument("<run>", "run directory written by `soilco2 train`")
    .requiredOption(
      "--out <dir>",
      "model directory to write, e.g. models/soilco2-lstm/<next version number>; refused if it exists and is not empty",
    )
    .option("--name <name>", "model name", DEFAULT_MODEL_NAME)
    .option("--version <version>", "model version (default: <package version>+<run directory name>)")
    .option("--force", "replace a non-empty --out")
    .action(async (run: string, o: { out: string; name: string; version?: string; force?: boolean }) => {
      const [{ exportRun }, { readRunConfig }, { unfinishedWarning }] = await Promise.all([
        import("../export/export-run.ts"),
        import("../training/run-dir.ts"),
        import("../training/run-status.ts"),
      ]);
      const runConfig = await readRunConfig(run).catch(() => undefined); // exportRun names what is wrong
      const warning = runConfig && (await unfinishedWarning(run, runConfig.config));
      if (warning) console.error(warning);
      const r = await exportRun({
        runDir: run,
        outDir: o.out,
        name: o.name,
        version: o.version,
        force: o.force ?? false,
      });
      for (const w of r.warnings) console.error(w);
      for (const line of formatExportReport(r)) console.log(line);
    });
}
