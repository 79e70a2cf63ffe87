/** A model directory opened on onnxruntime-web as a serving registry entry: the one piece the edge worker and the web predictor add to serving's app. */
import type * as ortCommon from "onnxruntime-common";
import { checkModel } from "../model/check-model.ts";
import { createOrtPredictor, type OrtRuntime } from "../model/ort-predict.ts";
import type { ModelEntry } from "../serving/registry.ts";
import type { ModelFiles } from "./model-files.ts";
import { configureOrtWeb, type OrtWebOptions } from "./ort-web-env.ts";

/** onnxruntime-web's module (`import * as ort from "onnxruntime-web/wasm"`): a runtime plus its `env`. */
export type OrtWeb = OrtRuntime & { env: ortCommon.Env };

/** A loaded model: the registry entry and a way to close its session. */
export interface WebModel {
  entry: ModelEntry;
  release(): Promise<void>;
}

/**
 * Check the files with `checkModel` (sha256, versions, schema), configure onnxruntime-web (wasm, SIMD, threads
 * per {@link configureOrtWeb}) and open a session with graph optimisation `all`.
 * @example const { entry } = await loadWebModel(ort, await fetchModelFiles(url)); createApp({ registry: createModelRegistry([entry]) });
 */
export async function loadWebModel(
  ort: OrtWeb,
  files: ModelFiles,
  opts: OrtWebOptions = {},
): Promise<WebModel> {
  const { schema, manifest, sha256 } = await checkModel(files.bytes, files.manifest, { where: files.where });
  configureOrtWeb(ort.env, opts);
  const predictor = await createOrtPredictor(ort, files.bytes, { executionProviders: ["wasm"] });
  return {
    entry: {
      name: manifest.name,
      version: manifest.version,
      schema,
      manifest,
      sha256,
      predictor,
      ready: true,
      executionProvider: "wasm",
    },
    release: () => predictor.release(),
  };
}
