/** `createApp(options)`: the runtime-neutral Hono app (Node, workerd, Deno) over a model registry. No `node:` imports here. */
import { OpenAPIHono } from "@hono/zod-openapi";
import type { Context, Env, Hono, Schema } from "hono";
import { cors } from "hono/cors";
import { staticWidth } from "../core/model-schema.ts";
import type { EncodedSite } from "../core/request.ts";
import { type Batcher, createBatcher } from "./batcher.ts";
import type { AppEnv, RouteDeps, ServingApp, ServingLimits } from "./context.ts";
import { DEFAULT_SERVING_LIMITS } from "./default-limits.ts";
import { HttpError } from "./errors.ts";
import { runSites } from "./infer.ts";
import type { ServingMetrics } from "./metrics.ts";
import { apiKeyAuth } from "./middleware/api-key.ts";
import { jsonBodyLimit } from "./middleware/body-limit.ts";
import { deadline } from "./middleware/deadline.ts";
import { refuseWhileDraining } from "./middleware/draining.ts";
import { jsonErrors, jsonNotFound } from "./middleware/error-handler.ts";
import { clientKey, rateLimit } from "./middleware/rate-limit.ts";
import { requestMetrics } from "./middleware/request-metrics.ts";
import type { ModelEntry, ModelRegistry } from "./registry.ts";
import { docsRoutes } from "./routes/docs.ts";
import { metricsRoutes } from "./routes/metrics.ts";
import { predictRoutes } from "./routes/predict.ts";
import { referenceRoutes } from "./routes/reference.ts";
import { v2HealthRoutes } from "./routes/v2-health.ts";
import { v2InferRoutes } from "./routes/v2-infer.ts";
import { v2ModelRoutes } from "./routes/v2-models.ts";

export { DEFAULT_SERVING_LIMITS };

/** Micro-batching settings (see serving/batcher.ts). */
export interface BatchingOptions {
  /** Default true; false runs every request alone. */
  enabled?: boolean;
  /** Most sites per model call (default 64). */
  maxBatch?: number;
  /** Longest wait of the oldest queued site for company (default 2 ms). */
  maxWaitMs?: number;
  /** Most sites queued per model version before 503 `overloaded` (default 4096). */
  maxQueue?: number;
  /** Model calls in flight at once per model version (default 2, so the model never waits for the next batch). */
  maxInflight?: number;
}

/** Options of {@link createApp}. Only `registry` is required. */
export interface AppOptions {
  registry: ModelRegistry;
  limits?: Partial<ServingLimits>;
  batching?: BatchingOptions;
  /** Allowed browser origins (`"*"` for any); no CORS headers when left out. */
  cors?: { origins: "*" | string[] };
  /** API keys for `/v1/*` and `/v2/models/*` (`Authorization: Bearer <key>`); open when left out or empty. */
  apiKeys?: readonly string[];
  /**
   * Requests per client per minute on `/v1/*` and `/v2/models/*`; the client is its API key when keys are in
   * use, else its address: `address(c)`, default the first `X-Forwarded-For` hop or `CF-Connecting-IP`.
   */
  rateLimit?: { perMinute: number; address?: (c: Context) => string | undefined };
  /** Metrics sink; `GET /metrics` exists only when given (Node: `createPromMetrics()`). */
  metrics?: ServingMetrics;
  /** Reported by `GET /v2` and in /openapi.json. */
  server?: { name?: string; version?: string };
  /** Extra sub-apps mounted with `app.route(path, app)`, e.g. `{ path: "/demo", app: demoApp }`; public, no limits. */
  mounts?: readonly { path: string; app: Hono<Env, Schema, string> }[];
  /** URL prefix of Swagger UI's files when a mount serves them (Node: `/docs/assets`); default a pinned CDN. */
  docsAssetsBase?: string;
  /** True while the server drains: readiness fails, API requests get 503 with `Connection: close`. */
  isShuttingDown?: () => boolean;
  /** Where unexpected (500) errors are logged (default console.error). */
  log?: (message: string, err: unknown) => void;
}

/**
 * Build the prediction app: `/v1/predict`, the KServe v2 endpoints, `/openapi.json`, `/docs`, `/metrics`.
 * @example const app = createApp({ registry: createModelRegistry([entry]), batching: { maxBatch: 64, maxWaitMs: 2 } });
 *          const res = await app.request("/v2/health/ready");
 */
export function createApp(options: AppOptions): ServingApp {
  const limits: ServingLimits = { ...DEFAULT_SERVING_LIMITS, ...options.limits };
  const { registry, metrics } = options;
  const isShuttingDown = options.isShuttingDown ?? (() => false);
  const batchers = new WeakMap<ModelEntry, Batcher<EncodedSite, Float32Array>>();
  const b = options.batching ?? {};

  const deps: RouteDeps = {
    registry,
    limits,
    metrics,
    isShuttingDown,
    server: { name: options.server?.name ?? "soilco2", version: options.server?.version ?? "0.0.0" },
    batcher(entry) {
      let batcher = batchers.get(entry);
      if (batcher) return batcher;
      const dynamicCols = entry.schema.dynamic.length;
      const staticCols = staticWidth(entry.schema);
      batcher = createBatcher<EncodedSite, Float32Array>({
        ...b,
        run: async (sites) => {
          const t0 = performance.now();
          const rows = await runSites(entry.predictor, sites, dynamicCols, staticCols);
          metrics?.inference(
            entry.name,
            entry.executionProvider,
            sites.length,
            (performance.now() - t0) / 1000,
          );
          return rows;
        },
        onBatch: (info) =>
          metrics?.batch(
            entry.name,
            info.size,
            info.queueWaitMs.map((ms) => ms / 1000),
          ),
      });
      batchers.set(entry, batcher);
      return batcher;
    },
    resolve(name, version) {
      const modelName = name ?? registry.defaultModel();
      if (modelName === undefined)
        throw new HttpError(503, "no_model", "no model is loaded", "start the server with --models <dir>");
      const entry = registry.get(modelName, version);
      if (!entry) {
        const known = registry.list().map((m) => `${m.name} (${m.versions.join(", ")})`);
        throw new HttpError(
          404,
          "model_not_found",
          version === undefined
            ? `no model ${JSON.stringify(modelName)}`
            : `no version ${JSON.stringify(version)} of model ${JSON.stringify(modelName)}`,
          `loaded: ${known.join("; ") || "none"}`,
          { path: version === undefined ? "model" : "version" },
        );
      }
      if (!entry.ready)
        throw new HttpError(
          503,
          "model_not_ready",
          `model ${entry.name} ${entry.version} is not ready yet`,
          "retry shortly",
          {
            headers: { "Retry-After": "1" },
          },
        );
      return entry;
    },
  };

  const app: ServingApp = new OpenAPIHono<AppEnv>();
  app.onError(jsonErrors(options.log ? { log: options.log } : {}));
  app.notFound(jsonNotFound());
  if (metrics) app.use("*", requestMetrics({ metrics }));
  if (options.cors)
    app.use(
      "*",
      cors({
        origin: options.cors.origins,
        allowMethods: ["GET", "POST", "OPTIONS"],
        allowHeaders: ["Content-Type", "Authorization"],
        exposeHeaders: ["RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset", "Retry-After"],
        maxAge: 600,
      }),
    );
  const keys = options.apiKeys ?? [];
  const guards = [
    refuseWhileDraining({ isShuttingDown }),
    ...(keys.length > 0 ? [apiKeyAuth({ keys })] : []),
    ...(options.rateLimit
      ? [
          rateLimit({
            limit: options.rateLimit.perMinute,
            keyOf: clientKey({
              useApiKey: keys.length > 0,
              ...(options.rateLimit.address ? { address: options.rateLimit.address } : {}),
            }),
          }),
        ]
      : []),
    jsonBodyLimit({ maxBytes: limits.maxBodyBytes }),
    deadline({ timeoutMs: limits.timeoutMs }),
  ];
  for (const path of ["/v1/*", "/v2/models/*"]) for (const guard of guards) app.use(path, guard);

  predictRoutes(app, deps);
  referenceRoutes(app, deps);
  v2HealthRoutes(app, deps);
  v2ModelRoutes(app, deps);
  v2InferRoutes(app, deps);
  if (metrics) metricsRoutes(app, metrics);
  for (const m of options.mounts ?? []) app.route(m.path, m.app);
  docsRoutes(app, deps, {
    keysRequired: keys.length > 0,
    ...(options.docsAssetsBase ? { assetsBase: options.docsAssetsBase } : {}),
  });
  return app;
}
