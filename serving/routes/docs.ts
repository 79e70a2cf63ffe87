/** `GET /openapi.json` (OpenAPI 3, from the same zod schemas that validate requests) and Swagger UI at `/docs`. */
import { swaggerUI } from "@hono/swagger-ui";
import type { RouteDeps, ServingApp } from "../context.ts";

/** Add the OpenAPI document and its Swagger UI; call after every other route is registered. */
export function docsRoutes(app: ServingApp, deps: RouteDeps): void {
  app.doc("/openapi.json", {
    openapi: "3.0.3",
    info: {
      title: "soilco2 prediction service",
      version: deps.server.version,
      description:
        "Daily soil CO2 efflux (µmol CO2 m-2 s-1) from an LSTM exported to ONNX. `/v1/predict` takes friendly JSON " +
        "in physical units; `/v2/...` is the KServe v2 / Open Inference Protocol with JSON tensors (null = NaN gap). " +
        'Errors: `{ error: "<message>", code, hint, path? }` (the protocol\'s string `error`, detail beside it).',
    },
    components: { securitySchemes: { apiKey: { type: "http", scheme: "bearer" } } },
  } as Parameters<ServingApp["doc"]>[1]);
  app.get("/docs", swaggerUI({ url: "/openapi.json" }));
}
