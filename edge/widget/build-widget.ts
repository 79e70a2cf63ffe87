/** Bundle `<soil-co2-chart>` with esbuild into a folder a partner can host: the element script, lazy chunks, the ORT wasm and mjs, optionally a model. */
import { copyFile, mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { MODEL_DIR_FILES } from "../../export/manifest.ts";
import { WIDGET_OUT } from "../dist-paths.ts";
import { dropZodLocales } from "../esbuild-plugins.ts";

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
/** The ORT files loaded next to the chunks at run time (wasm backend, SIMD; threads only when cross-origin isolated). */
export const ORT_WASM_FILES = ["ort-wasm-simd-threaded.wasm", "ort-wasm-simd-threaded.mjs"] as const;
export const ORT_DIST = here("../../node_modules/onnxruntime-web/dist/");

/**
 * Build the widget into `outDir` (emptied first): `soil-co2-chart.js` (the element, a few kB), lazy chunks (chart
 * view with uPlot and its CSS; the local predictor with onnxruntime-web and core; the API client), the ORT files and,
 * with `modelDir`, `model/manifest.json` and `model/model.onnx` (the element's default model).
 * @example await buildWidget({ modelDir: "models/soilco2-lstm" })
 */
export async function buildWidget(opts: { outDir?: string; modelDir?: string } = {}): Promise<string> {
  const outDir = opts.outDir ?? WIDGET_OUT;
  await rm(outDir, { recursive: true, force: true });
  await build({
    entryPoints: { "soil-co2-chart": here("./soil-co2-chart.ts") },
    outdir: outDir,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify: true,
    // the onnxruntime-web build without the embedded loader: ort-wasm-simd-threaded.mjs is fetched next to the chunks
    conditions: ["onnxruntime-web-use-extern-wasm"],
    loader: { ".css": "text" },
    chunkNames: "[name]-[hash]",
    legalComments: "none",
    plugins: [dropZodLocales],
    logLevel: "warning",
  });
  for (const f of ORT_WASM_FILES) await copyFile(join(ORT_DIST, f), join(outDir, f));
  if (opts.modelDir) {
    await mkdir(join(outDir, "model"), { recursive: true });
    for (const f of [MODEL_DIR_FILES.manifest, MODEL_DIR_FILES.model])
      await copyFile(join(opts.modelDir, f), join(outDir, "model", f));
  }
  return outDir;
}
