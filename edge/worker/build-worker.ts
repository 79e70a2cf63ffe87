/** Bundle the edge worker with esbuild: index.js (ES module), the ORT wasm as a CompiledWasm module and the model as a Data module. */
import { copyFile, mkdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build, type Plugin } from "esbuild";
import { MODEL_DIR_FILES } from "../../model/manifest.ts";
import { readModelDir } from "../../model/node/read-model.ts";
import { WORKER_OUT } from "../dist-paths.ts";
import { dropZodLocales } from "../esbuild-plugins.ts";

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
/** The ORT wasm, imported by the worker as `ort-wasm-simd-threaded.wasm`. */
export const ORT_WASM = "ort-wasm-simd-threaded.wasm";
/** The modules of a built worker, as workerd loads them (miniflare's `modules` option takes the same list). */
export const WORKER_MODULES = [
  { type: "ESModule", path: "index.js" },
  { type: "CompiledWasm", path: ORT_WASM },
  { type: "Data", path: MODEL_DIR_FILES.model },
] as const;

/**
 * `soilco2:model` → the model directory's manifest (inlined JSON, checked at build time) and `./model.onnx` (Data);
 * `./ort-wasm-simd-threaded.wasm` stays an import, resolved by workerd next to index.js.
 */
function workerModules(modelDir: string, manifestJson: string): Plugin {
  return {
    name: "soilco2-worker-modules",
    setup(b) {
      b.onResolve({ filter: /^soilco2:model$/ }, () => ({ path: "model", namespace: "soilco2-model" }));
      b.onLoad({ filter: /.*/, namespace: "soilco2-model" }, () => ({
        contents: `import bytes from "./${MODEL_DIR_FILES.model}";\nexport const modelBytes = bytes;\nexport const manifest = ${manifestJson};\nexport const modelDir = ${JSON.stringify(modelDir)};`,
        loader: "js",
      }));
      b.onResolve({ filter: /\.(wasm|onnx)$/ }, (args) => ({
        path: `./${args.path.split("/").pop()}`,
        external: true,
      }));
    },
  };
}

/**
 * Build the worker for the model in `modelDir` (checked first with `readModelDir`) into `outDir` (emptied first).
 * @returns the output folder, holding {@link WORKER_MODULES}
 * @example await buildWorker({ modelDir: "models/soilco2-lstm" })
 */
export async function buildWorker(opts: { modelDir: string; outDir?: string }): Promise<string> {
  const outDir = opts.outDir ?? WORKER_OUT;
  await readModelDir(opts.modelDir);
  const manifestJson = await readFile(join(opts.modelDir, MODEL_DIR_FILES.manifest), "utf8");
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  await build({
    entryPoints: { index: here("./index.ts") },
    outdir: outDir,
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    conditions: ["workerd", "worker", "browser"],
    mainFields: ["module", "main"],
    minify: true,
    legalComments: "none",
    logLevel: "warning",
    plugins: [dropZodLocales, workerModules(opts.modelDir, manifestJson)],
  });
  await copyFile(here(`../../node_modules/onnxruntime-web/dist/${ORT_WASM}`), join(outDir, ORT_WASM));
  await copyFile(join(opts.modelDir, MODEL_DIR_FILES.model), join(outDir, MODEL_DIR_FILES.model));
  return outDir;
}
