/** Where `npm run build:edge` writes the bundles (edge/dist, gitignored); no build tools imported, so serving can read them in production. */
import { fileURLToPath } from "node:url";

/** The widget folder a partner hosts: soil-co2-chart.js, its chunks, the ORT wasm and mjs, `model/`. */
export const WIDGET_OUT = fileURLToPath(new URL("./dist/widget/", import.meta.url));
/** The worker folder wrangler deploys: index.js, ort-wasm-simd-threaded.wasm, model.onnx. */
export const WORKER_OUT = fileURLToPath(new URL("./dist/worker/", import.meta.url));
