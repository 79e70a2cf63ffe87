/** Bundle `<soil-co2-chart>` with esbuild into a folder a partner can host: the element script, lazy chunks, the ORT wasm and mjs under content-hashed names, optionally a model. */
import { createHash } from "node:crypto";
import { copyFile, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { gzip } from "node:zlib";
import { build } from "esbuild";
import { MODEL_DIR_FILES } from "../../model/manifest.ts";
import { WIDGET_OUT } from "../dist-paths.ts";
import { dropZodLocales } from "../esbuild-plugins.ts";

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const gzipAsync = promisify(gzip);
/** The ORT files loaded next to the chunks at run time (wasm backend, SIMD; threads only when cross-origin isolated). */
export const ORT_WASM_FILES = ["ort-wasm-simd-threaded.wasm", "ort-wasm-simd-threaded.mjs"] as const;
export const ORT_DIST = here("../../node_modules/onnxruntime-web/dist/");
/** The build record written next to the bundles: what it was built from (see ensure-widget.ts). */
export const BUILD_RECORD = "build.json";

/** `name.ext` → `name-<first 10 hex of sha256>.ext`: a name that changes whenever the bytes do (cacheable forever). */
export function hashedName(file: string, bytes: Uint8Array): string {
  const hash = createHash("sha256").update(bytes).digest("hex").slice(0, 10);
  return file.replace(/(\.[a-z]+)$/, `-${hash}$1`);
}

/**
 * Build the widget into `outDir` (emptied first): `soil-co2-chart.js` (the element, a few kB), lazy chunks (chart
 * view with uPlot and its CSS; the local predictor with onnxruntime-web and core; the API client), the ORT files
 * under content-hashed names (with a `.gz` twin of the wasm, served as is by the demo), `build.json` (the
 * inputs, for staleness checks) and, with `modelDir`, `model/manifest.json` and `model/model.onnx`.
 * @example await buildWidget({ modelDir: "models/soilco2-lstm" })
 */
export async function buildWidget(opts: { outDir?: string; modelDir?: string } = {}): Promise<string> {
  const outDir = opts.outDir ?? WIDGET_OUT;
  const startedAt = Date.now();
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const ortNames: Record<string, string> = {};
  for (const f of ORT_WASM_FILES) {
    const bytes = await readFile(join(ORT_DIST, f));
    const name = hashedName(f, bytes);
    await writeFile(join(outDir, name), bytes);
    if (f.endsWith(".wasm"))
      await writeFile(join(outDir, `${name}.gz`), await gzipAsync(bytes, { level: 9 }));
    ortNames[f] = name;
  }
  const result = await build({
    entryPoints: { "soil-co2-chart": here("./soil-co2-chart.ts") },
    outdir: outDir,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify: true,
    // the onnxruntime-web build without the embedded loader: the ORT .mjs is fetched next to the chunks
    conditions: ["onnxruntime-web-use-extern-wasm"],
    loader: { ".css": "text" },
    chunkNames: "[name]-[hash]",
    legalComments: "none",
    define: {
      __ORT_WASM__: JSON.stringify(ortNames["ort-wasm-simd-threaded.wasm"]),
      __ORT_MJS__: JSON.stringify(ortNames["ort-wasm-simd-threaded.mjs"]),
    },
    metafile: true,
    plugins: [dropZodLocales],
    logLevel: "warning",
  });
  if (opts.modelDir) {
    await mkdir(join(outDir, "model"), { recursive: true });
    for (const f of [MODEL_DIR_FILES.manifest, MODEL_DIR_FILES.model])
      await copyFile(join(opts.modelDir, f), join(outDir, "model", f));
  }
  const root = here("../../");
  const inputs = [
    ...Object.keys(result.metafile.inputs).filter((p) => !p.includes(":")),
    ...ORT_WASM_FILES.map((f) => relative(process.cwd(), join(ORT_DIST, f))),
  ].map((p) => relative(root, join(process.cwd(), p)));
  await writeFile(
    join(outDir, BUILD_RECORD),
    `${JSON.stringify({ builtAt: startedAt, ort: ortNames, inputs }, null, 1)}\n`,
  );
  return outDir;
}
