/** Predict in the browser (or any JS runtime) with onnxruntime-web: serving's own app in-process, so the request and the answer are those of POST /v1/predict. */
import type { RawBatch } from "../core/batch.ts";
import type { PredictRequest } from "../core/request.ts";
import { createApp } from "../serving/app.ts";
import type { ServingApp } from "../serving/context.ts";
import { createModelRegistry, type ModelEntry } from "../serving/registry.ts";
import type { ModelFiles } from "./model-files.ts";
import type { OrtWebOptions } from "./ort-web-env.ts";
import { type PredictResponse, readPredictResponse } from "./predict-response.ts";
import { loadWebModel, type OrtWeb } from "./web-model.ts";

/** A model loaded on onnxruntime-web. */
export interface WebPredictor {
  entry: ModelEntry;
  /** serving's app over this one model (no batching: one page, one caller). */
  app: ServingApp;
  /**
   * Validate and encode the request with core, run it and answer exactly as POST /v1/predict does.
   * @throws {PredictError} with serving's message, hint and status for a refused request
   */
  predict(request: PredictRequest): Promise<PredictResponse>;
  /** The raw model: batch in, efflux [batch, time] out, µmol CO2 m-2 s-1 (parity tests, benchmarks). */
  run(batch: RawBatch): Promise<Float32Array>;
  release(): Promise<void>;
}

/**
 * Load a model directory on onnxruntime-web and wrap it in serving's app.
 * @example const p = await createWebPredictor(ort, await fetchModelFiles(url)); const r = await p.predict({ sites: [site] });
 */
export async function createWebPredictor(
  ort: OrtWeb,
  files: ModelFiles,
  opts: OrtWebOptions = {},
): Promise<WebPredictor> {
  const model = await loadWebModel(ort, files, opts);
  const app = createApp({ registry: createModelRegistry([model.entry]), batching: { enabled: false } });
  return {
    entry: model.entry,
    app,
    async predict(request) {
      const res = await app.request("/v1/predict", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(request),
      });
      return readPredictResponse(res);
    },
    run: (batch) => model.entry.predictor.predict(batch),
    release: model.release,
  };
}
