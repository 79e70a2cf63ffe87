/** The edge function: serving's Hono app on onnxruntime-web, as a Web-standard `fetch` handler for Cloudflare Workers (workerd). */

import { manifest, modelBytes, modelDir } from "soilco2:model";
import ortWasm from "onnxruntime-web/ort-wasm-simd-threaded.wasm";
import * as ort from "onnxruntime-web/wasm";
import { createApp } from "../../serving/app.ts";
import type { ServingApp } from "../../serving/context.ts";
import { createModelRegistry } from "../../serving/registry.ts";
import { loadWebModel, type OrtWeb } from "../web-model.ts";
import { useCompiledOrtWasm } from "./ort-workerd.ts";

/** Bindings from wrangler.toml `[vars]`: `CORS_ORIGINS` ("*" or comma-separated), `SERVER_VERSION`. */
export interface WorkerEnv {
  CORS_ORIGINS?: string;
  SERVER_VERSION?: string;
}

let app: Promise<ServingApp> | undefined;

/** Open the bundled model once per isolate (first request); a failure is retried by the next request. */
function loadApp(env: WorkerEnv): Promise<ServingApp> {
  app ??= (async () => {
    const model = await loadWebModel(
      ort as unknown as OrtWeb,
      { bytes: new Uint8Array(modelBytes), manifest, where: modelDir },
      useCompiledOrtWasm(ortWasm),
    );
    const origins = env.CORS_ORIGINS?.trim();
    return createApp({
      registry: createModelRegistry([model.entry]),
      server: { name: "soilco2-edge", version: env.SERVER_VERSION ?? "0.0.0" },
      ...(origins
        ? { cors: { origins: origins === "*" ? "*" : origins.split(",").map((o) => o.trim()) } }
        : {}),
    });
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
      console.error("soilco2-edge: the model failed to load", err);
      const error = {
        code: "model_not_ready",
        message: "the model could not be loaded",
        hint: "retry shortly",
      };
      return Response.json({ error }, { status: 503, headers: { "Retry-After": "1" } });
    }
  },
};
