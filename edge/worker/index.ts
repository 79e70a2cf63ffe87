/** The edge function: serving's Hono app on onnxruntime-web, as a Web-standard `fetch` handler for Cloudflare Workers (workerd). */

import { manifest, modelBytes, modelDir } from "soilco2:model";
import ortWasm from "onnxruntime-web/ort-wasm-simd-threaded.wasm";
import * as ort from "onnxruntime-web/wasm";
import { ConfigError } from "../../core/errors.ts";
import { createApp } from "../../serving/app.ts";
import type { ServingApp } from "../../serving/context.ts";
import { createModelRegistry } from "../../serving/registry.ts";
import { loadWebModel, type OrtWeb } from "../web-model.ts";
import { useCompiledOrtWasm } from "./ort-workerd.ts";
import { type WorkerEnv, workerOptions } from "./worker-options.ts";

export type { WorkerEnv } from "./worker-options.ts";

let app: Promise<ServingApp> | undefined;

/** Open the bundled model once per isolate (first request); a failure is retried by the next request. */
function loadApp(env: WorkerEnv): Promise<ServingApp> {
  app ??= (async () => {
    const options = workerOptions(env);
    const model = await loadWebModel(
      ort as unknown as OrtWeb,
      { bytes: new Uint8Array(modelBytes), manifest, where: modelDir },
      useCompiledOrtWasm(ortWasm),
    );
    return createApp({ ...options, registry: createModelRegistry([model.entry]) });
  })();
  app.catch(() => {
    app = undefined;
  });
  return app;
}

export default {
  /** Every route of `soilco2 serve` (/v1/predict, /v2/..., /openapi.json, /docs), from the bundled model. */
  async fetch(request: Request, env: WorkerEnv = {}): Promise<Response> {
    try {
      return await (await loadApp(env)).fetch(request, env);
    } catch (err) {
      if (err instanceof ConfigError) {
        console.error(`soilco2-edge: ${err.message}`);
        return Response.json(
          {
            error: "the worker is misconfigured",
            code: "misconfigured",
            hint: "the operator's log names the binding",
          },
          { status: 503, headers: { "Retry-After": "60" } },
        );
      }
      console.error("soilco2-edge: the model failed to load", err);
      const body = { error: "the model could not be loaded", code: "model_not_ready", hint: "retry shortly" };
      return Response.json(body, { status: 503, headers: { "Retry-After": "1" } });
    }
  },
};
