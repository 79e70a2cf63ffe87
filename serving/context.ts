/** What the app's routes share: the Hono env type, the resolved options and the per-model batchers. */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { EncodedSite } from "../core/request.ts";
import type { Batcher } from "./batcher.ts";
import type { ServingMetrics } from "./metrics.ts";
import type { ModelEntry, ModelRegistry } from "./registry.ts";

/** Context variables set by the app's middleware. */
export interface AppEnv {
  Variables: {
    /** Aborts when the request's deadline passes (middleware/deadline.ts). */
    signal: AbortSignal;
  };
}

/** The app type routes are added to. */
export type ServingApp = OpenAPIHono<AppEnv>;

/** Limits on one request; every value has a default in app.ts. */
export interface ServingLimits {
  /** Most sites per request (`/v1/predict`) or batch rows (`/v2/.../infer`). */
  maxSites: number;
  /** Most days one site's series spans. */
  maxDays: number;
  /** Largest request body in bytes. */
  maxBodyBytes: number;
  /** Longest time a request may take before it is answered 408. */
  timeoutMs: number;
  /** Most site-days (sites × days spanned) one request may ask for; 413 beyond. */
  maxRequestSiteDays: number;
  /** Most site-days admitted and not yet answered over every model; 503 with Retry-After beyond. */
  maxQueuedSiteDays: number;
}

/** Everything a route needs, built once by `createApp`. */
export interface RouteDeps {
  registry: ModelRegistry;
  limits: ServingLimits;
  /**
   * Admit a request's work (site-days) for its client, or throw 413 / 429 / 503 (serving/admission.ts); call the
   * returned function once the work is done or dropped.
   */
  admit(c: Context, siteDays: number): () => void;
  /** The micro-batcher of a model version (created on first use). */
  batcher(entry: ModelEntry): Batcher<EncodedSite, Float32Array>;
  /**
   * Site-days queued and not yet running, over every model version: the queue depth for cost-based admission
   * (a site counts its days; a sparse `dates` list its span).
   */
  queuedSiteDays(): number;
  /** A model version that can serve now, or a 404 / 503 `HttpError`. */
  resolve(name: string | undefined, version: string | undefined): ModelEntry;
  metrics: ServingMetrics | undefined;
  server: { name: string; version: string };
  isShuttingDown(): boolean;
}
