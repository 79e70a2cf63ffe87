/** Run a site on onnxruntime-web in the page (lazy chunk): the model directory is fetched and checked once per URL. */
import * as ort from "onnxruntime-web/wasm";
import type { SiteRequest } from "../../core/request.ts";
import { fetchModelFiles } from "../model-files.ts";
import type { PredictResponse } from "../predict-response.ts";
import type { OrtWeb } from "../web-model.ts";
import { createWebPredictor, type WebPredictor } from "../web-predictor.ts";

const predictors = new Map<string, Promise<WebPredictor>>();

/**
 * Predict one site with the model at `modelUrl`; the ORT files (`ort-wasm-simd-threaded-<hash>.mjs` / `.wasm`)
 * are loaded from next to this script.
 * @example const r = await predictLocally("https://example.org/widget/model/", site);
 */
export async function predictLocally(modelUrl: string, site: SiteRequest): Promise<PredictResponse> {
  return (await loadPredictor(modelUrl)).predict({ sites: [site] });
}

/**
 * Fetch, check and open the model at `modelUrl` once (later calls share the promise; a failure is retried).
 * @example void loadPredictor(url).catch(() => {}); // start early, e.g. while the drivers load
 */
export function loadPredictor(modelUrl: string): Promise<WebPredictor> {
  let p = predictors.get(modelUrl);
  if (!p) {
    p = fetchModelFiles(modelUrl).then((files) =>
      createWebPredictor(ort as unknown as OrtWeb, files, {
        // content-hashed names set by build-widget.ts: cached as immutable, fetched and compiled while streaming
        wasmPaths: {
          wasm: new URL(__ORT_WASM__, import.meta.url).href,
          mjs: new URL(__ORT_MJS__, import.meta.url).href,
        },
      }),
    );
    p.catch(() => predictors.delete(modelUrl));
    predictors.set(modelUrl, p);
  }
  return p;
}
