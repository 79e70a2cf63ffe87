/** What the app reports for monitoring: a small interface, so the app stays runtime-neutral (Node fills it with prom-client). */

/** Sink for the app's measurements; `serving/node/prom-metrics.ts` implements it with prom-client. */
export interface ServingMetrics {
  /** One finished HTTP request; `route` is the matched route pattern, e.g. `/v2/models/:name/infer`. */
  request(method: string, route: string, status: number, seconds: number): void;
  /** One micro-batch: its size in sites and how long each request in it waited in the queue. */
  batch(model: string, version: string, sites: number, queueWaitSeconds: readonly number[]): void;
  /** One model call (`predict`) and the sites it predicted. */
  inference(model: string, version: string, provider: string, sites: number, seconds: number): void;
  /** A model version's state: loading, ready or failed; `provider` once its session exists. */
  modelState(model: string, version: string, state: "loading" | "ready" | "failed", provider?: string): void;
  /** The exposition text for `GET /metrics`. */
  render(): Promise<{ contentType: string; body: string }>;
}
