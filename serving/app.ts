/** `createApp(options)`: the runtime-neutral Hono app (Node, workerd, Deno) over a model registry. No `node:` imports here. */
import { OpenAPIHono } from "@hono/zod-openapi";
import type { Context, Env, Hono, Schema } from "hono";
import { cors } from "hono/cors";
import { siteLength } from "../core/batch.ts";
import { staticWidth } from "../core/model-schema.ts";
import type { EncodedSite } from "../core/request.ts";
import { createAdmission } from "./admission.ts";
import { allowedMethods } from "./allowed-methods.ts";
import { type Batcher, createBatcher } from "./batcher.ts";
import { clientAddress } from "./client-address.ts";
import type { AppEnv, RouteDeps, ServingApp, ServingLimits } from "./context.ts";
import { DEFAULT_BATCHING, DEFAULT_SERVING_LIMITS } from "./default-limits.ts";
import { HttpError } from "./errors.ts";
import { runSites } from "./infer.ts";
import type { ServingMetrics } from "./metrics.ts";
import { HEALTH_PATHS, pathIn, unless } from "./middleware/access.ts";
import { apiKeyAuth } from "./middleware/api-key.ts";
import { jsonBodyLimit } from "./middleware/body-limit.ts";
import { deadline } from "./middleware/deadline.ts";
import { refuseWhileDraining } from "./middleware/draining.ts";
import { jsonErrors, jsonNotFound } from "./middleware/error-handler.ts";
import { rateLimit } from "./middleware/rate-limit.ts";
import { requestMetrics } from "./middleware/request-metrics.ts";
import type { ModelEntry, ModelRegistry } from "./registry.ts";
import { calibrateRoutes } from "./routes/calibrate.ts";
import { docsRoutes } from "./routes/docs.ts";
import { metricsRoutes } from "./routes/metrics.ts";
import { predictRoutes } from "./routes/predict.ts";
import { referenceRoutes } from "./routes/reference.ts";
import { v2HealthRoutes } from "./routes/v2-health.ts";
import { v2InferRoutes } from "./routes/v2-infer.ts";
import { failedVersionError, v2ModelRoutes } from "./routes/v2-models.ts";

export { DEFAULT_BATCHING, DEFAULT_SERVING_LIMITS };

/** Micro-batching settings (see serving/batcher.ts); defaults in {@link DEFAULT_BATCHING}. */
export interface BatchingOptions {
  /** Default true; false runs every request alone. */
  enabled?: boolean;
  /** Most sites per model call. */
  maxBatch?: number;
  /** Most site-days per model call (a site counts its days). */
  maxBatchDays?: number;
  /** Longest wait of the oldest queued site for company while another batch runs (0: none; never when idle). */
  maxWaitMs?: number;
  /** Most sites queued per model version before 503 `overloaded`. */
  maxQueue?: number;
  /** Model calls in flight at once per model version. */
  maxInflight?: number;
}

/** Options of {@link createApp}. Only `registry` is required. */
export interface AppOptions {
  registry: ModelRegistry;
  limits?: Partial<ServingLimits>;
  batching?: BatchingOptions;
  /** Allowed browser origins (`"*"` for any); no CORS headers when left out. */
  cors?: { origins: "*" | string[] };
  /**
   * API keys (`Authorization: Bearer <key>`): when given, every route but the health probes and `publicPaths` needs
   * one. Open when left out or empty. Checked at start-up (`checkApiKeys`).
   */
  apiKeys?: readonly string[];
  /** Paths open without a key when keys are set, e.g. `["/metrics", "/demo/*"]` (default none). */
  publicPaths?: readonly string[];
  /**
   * Per client address and minute: `perMinute` requests on every route but the health probes (failed
   * authentications count), `siteDaysPerMinute` site-days of predictions (429 beyond either); `maxClients`
   * addresses tracked per window (default 10 000).
   */
  rateLimit?: { perMinute: number; siteDaysPerMinute?: number; maxClients?: number };
  /** Proxies in front that append to `X-Forwarded-For` (default 0: the header is ignored; see client-address.ts). */
  trustedProxies?: number;
  /** The socket peer address (default: what @hono/node-server gives; the edge worker passes `CF-Connecting-IP`). */
  socketAddress?: (c: Context) => string | undefined;
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
 * @example const app = createApp({ registry: createModelRegistry([entry]), batching: { maxBatch: 64 } });
 *          const res = await app.request("/v2/health/ready");
 */
export function createApp(options: AppOptions): ServingApp {
  const limits: ServingLimits = { ...DEFAULT_SERVING_LIMITS, ...options.limits };
  const { registry, metrics } = options;
  const isShuttingDown = options.isShuttingDown ?? (() => false);
  const batchers = new Map<ModelEntry, Batcher<EncodedSite, Float32Array>>();
  const { maxBatchDays, ...b } = { ...DEFAULT_BATCHING, ...options.batching };
  const address = clientAddress({
    ...(options.trustedProxies !== undefined ? { trustedProxies: options.trustedProxies } : {}),
    ...(options.socketAddress ? { socket: options.socketAddress } : {}),
  });
  const rl = options.rateLimit;
  const admission = createAdmission(
    {
      maxRequestSiteDays: limits.maxRequestSiteDays,
      maxQueuedSiteDays: limits.maxQueuedSiteDays,
      ...(rl?.siteDaysPerMinute ? { siteDaysPerMinute: rl.siteDaysPerMinute } : {}),
    },
    rl?.maxClients ? { maxClients: rl.maxClients } : {},
  );

  const deps: RouteDeps = {
    registry,
    limits,
    metrics,
    isShuttingDown,
    server: { name: options.server?.name ?? "soilco2", version: options.server?.version ?? "0.0.0" },
    admit: (c, siteDays) => admission.admit(siteDays, address(c)),
    queuedSiteDays: () => [...batchers.values()].reduce((n, q) => n + q.queuedCost, 0),
    batcher(entry) {
      let batcher = batchers.get(entry);
      if (batcher) return batcher;
      const dynamicCols = entry.schema.dynamic.length;
      const staticCols = staticWidth(entry.schema);
      batcher = createBatcher<EncodedSite, Float32Array>({
        ...b,
        maxBatchCost: maxBatchDays,
        cost: (site) => siteLength(site, dynamicCols),
        run: async (sites) => {
          const t0 = performance.now();
          const rows = await runSites(entry.predictor, sites, dynamicCols, staticCols);
          metrics?.inference(
            entry.name,
            entry.version,
            entry.executionProvider,
            sites.length,
            (performance.now() - t0) / 1000,
          );
          return rows;
        },
        onBatch: (info) =>
          metrics?.batch(
            entry.name,
            entry.version,
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
      const failure = version === undefined ? undefined : registry.failure(modelName, version);
      if (!entry && failure) throw failedVersionError(failure);
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
  let allowed: ((path: string) => string[]) | undefined;
  app.onError(jsonErrors(options.log ? { log: options.log } : {}));
  const methodsOn = (path: string) => {
    allowed ??= allowedMethods(app.routes); // every route is registered by the first request
    return allowed(path);
  };
  app.notFound(jsonNotFound({ allowed: methodsOn }));
  if (metrics) app.use("*", requestMetrics({ metrics }));
  if (options.cors)
    app.use(
      "*",
      cors({
        origin: options.cors.origins,
        allowMethods: ["GET", "POST", "OPTIONS"],
        allowHeaders: ["Content-Type", "Authorization", "Inference-Header-Content-Length"],
        exposeHeaders: [
          "RateLimit-Limit",
          "RateLimit-Remaining",
          "RateLimit-Reset",
          "Retry-After",
          "Inference-Header-Content-Length",
        ],
        maxAge: 600,
      }),
    );
  if (rl)
    app.use(
      "*",
      unless(
        (path) => pathIn(HEALTH_PATHS, path),
        rateLimit({
          limit: rl.perMinute,
          keyOf: address,
          ...(rl.maxClients ? { maxClients: rl.maxClients } : {}),
        }),
      ),
    );
  const keys = options.apiKeys ?? [];
  if (keys.length > 0) {
    const open = [...HEALTH_PATHS, ...(options.publicPaths ?? [])];
    app.use(
      "*",
      unless((path) => pathIn(open, path), apiKeyAuth({ keys })),
    );
  }
  const guards = [
    refuseWhileDraining({ isShuttingDown }),
    jsonBodyLimit({ maxBytes: limits.maxBodyBytes }),
    deadline({ timeoutMs: limits.timeoutMs }),
  ];
  for (const path of ["/v1/*", "/v2/models/*"]) for (const guard of guards) app.use(path, guard);

  predictRoutes(app, deps);
  referenceRoutes(app, deps);
  calibrateRoutes(app, deps);
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
