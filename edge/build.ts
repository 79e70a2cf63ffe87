/** `npm run build:edge [-- --model <dir>]`: bundle the widget and the worker into edge/dist and print their sizes and the Workers plans the worker fits. */
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Soilco2Error } from "../core/errors.ts";
import { defaultModelDir } from "../model/node/model-dirs.ts";
import { fileSizes, formatSizes, totalSize } from "./file-sizes.ts";
import { buildWidget } from "./widget/build-widget.ts";
import { buildWorker } from "./worker/build-worker.ts";

/** Cloudflare Workers limits on a Worker's compressed (gzip) size. */
export const WORKERS_PLANS = [
  { plan: "Workers Free", gzipLimit: 3_000_000 },
  { plan: "Workers Paid", gzipLimit: 10_000_000 },
] as const;

/** A line per plan saying whether `gzipBytes` fits. */
export function planFit(gzipBytes: number): string[] {
  return WORKERS_PLANS.map(
    (p) =>
      `  ${p.plan} (${p.gzipLimit / 1e6} MB compressed): ${gzipBytes <= p.gzipLimit ? "fits" : "does NOT fit"} (${(gzipBytes / 1e6).toFixed(2)} MB)`,
  );
}

/**
 * Build both bundles for the model in `modelDir` (default: the default model under models/).
 * @example await buildEdge({ modelDir: "models/soilco2-lstm/0.1.0" })
 */
export async function buildEdge(
  opts: { modelDir?: string; print?: (line: string) => void } = {},
): Promise<void> {
  const print = opts.print ?? console.log;
  const modelDir = opts.modelDir ?? (await defaultModelDir());
  print(`model: ${modelDir}`);
  const widget = await fileSizes(await buildWidget({ modelDir }));
  print(
    formatSizes(
      "edge/dist/widget (what a partner page loads: the element, lazy chunks, ORT wasm + mjs, model)",
      widget,
    ),
  );
  const worker = await fileSizes(await buildWorker({ modelDir }));
  print(formatSizes("edge/dist/worker (deployed by wrangler: index.js, CompiledWasm, Data)", worker));
  print("worker size against the Workers limits:");
  for (const line of planFit(totalSize(worker).gzip)) print(line);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { model: { type: "string" } } });
  try {
    await buildEdge(values.model ? { modelDir: values.model } : {});
  } catch (err) {
    if (!(err instanceof Soilco2Error)) throw err;
    console.error(`build:edge: ${err.message}`);
    process.exitCode = 1;
  }
}
