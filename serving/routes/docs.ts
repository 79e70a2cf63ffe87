/**
 * `GET /openapi.json` (OpenAPI 3, from the same zod schemas that validate requests, with the bearer scheme on the
 * guarded routes and request examples that succeed in "Try it out"), Swagger UI at `/docs` (its assets from the
 * installed swagger-ui-dist when the runtime serves them, see serving/node/docs-assets.ts) and `GET /`, the list of
 * routes.
 */
import { swaggerUI } from "@hono/swagger-ui";
import { EXAMPLE_REFERENCE_REQUEST, exampleRequest } from "../../core/example-request.ts";
import type { RouteDeps, ServingApp } from "../context.ts";

/** Where /docs loads Swagger UI from when the runtime has no local copy: the CDN, pinned (= package.json's swagger-ui-dist). */
export const SWAGGER_UI_CDN = { baseUrl: "https://cdn.jsdelivr.net/npm", version: "5.35.0" } as const;
/** Path prefixes the API-key guard covers (serving/app.ts): their operations carry the bearer scheme. */
const GUARDED = ["/v1/", "/v2/models/"];

/** How the docs are served. */
export interface DocsOptions {
  /** Whether the server requires an API key (`--api-key`): the bearer scheme is then mandatory, else optional. */
  keysRequired: boolean;
  /** URL prefix of swagger-ui-dist's files served by this server (e.g. `/docs/assets`); default the pinned CDN. */
  assetsBase?: string;
}

type Operation = { security?: unknown; requestBody?: { content?: Record<string, { example?: unknown }> } };

/** Add the OpenAPI document, its Swagger UI and the route list; call after every other route is registered. */
export function docsRoutes(app: ServingApp, deps: RouteDeps, opts: DocsOptions): void {
  const config = {
    openapi: "3.0.3",
    info: {
      title: "soilco2 prediction service",
      version: deps.server.version,
      description:
        "Daily soil CO2 efflux (µmol CO2 m-2 s-1) from an LSTM exported to ONNX. `/v1/predict` takes friendly JSON " +
        "in physical units; `/v2/...` is the KServe v2 / Open Inference Protocol with JSON tensors (null = NaN gap). " +
        'Errors: `{ error: "<message>", code, hint, path? }` (the protocol\'s string `error`, detail beside it). ' +
        (opts.keysRequired
          ? "This server requires an API key: press Authorize and enter it (sent as `Authorization: Bearer <key>`)."
          : "This server is open: no API key is needed."),
    },
  };
  let doc: ReturnType<ServingApp["getOpenAPIDocument"]> | undefined;
  const document = () => {
    if (doc) return doc;
    doc = app.getOpenAPIDocument(config as Parameters<ServingApp["getOpenAPIDocument"]>[0]);
    doc.components = {
      ...doc.components,
      securitySchemes: {
        bearerAuth: { type: "http", scheme: "bearer", description: "an API key of the server" },
      },
    };
    const name = deps.registry.defaultModel();
    const entry = name === undefined ? undefined : deps.registry.get(name);
    for (const [path, item] of Object.entries(doc.paths ?? {}))
      for (const op of Object.values(item as Record<string, Operation>)) {
        if (!op || typeof op !== "object") continue;
        if (GUARDED.some((p) => path.startsWith(p)))
          op.security = opts.keysRequired ? [{ bearerAuth: [] }] : [{ bearerAuth: [] }, {}];
        const json = op.requestBody?.content?.["application/json"];
        if (json && path === "/v1/predict" && entry) json.example = exampleRequest(entry.schema);
        if (json && path === "/v1/reference") json.example = EXAMPLE_REFERENCE_REQUEST;
      }
    return doc;
  };
  app.get("/openapi.json", (c) => c.json(document()));
  app.get(
    "/docs",
    swaggerUI({
      url: "/openapi.json",
      title: "soilco2 API",
      persistAuthorization: true,
      ...(opts.assetsBase ? { baseUrl: opts.assetsBase } : SWAGGER_UI_CDN),
    }),
  );
  app.get("/", (c) => {
    const seen = new Set<string>();
    const routes = app.routes
      .filter((r) => r.method !== "ALL" && !r.path.includes("*"))
      .map((r) => ({ method: r.method, path: r.path }))
      .filter((r) => !seen.has(`${r.method} ${r.path}`) && Boolean(seen.add(`${r.method} ${r.path}`)));
    return c.json({
      name: deps.server.name,
      version: deps.server.version,
      docs: "/docs",
      openapi: "/openapi.json",
      routes,
    });
  });
}
