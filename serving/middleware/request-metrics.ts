/** Request counts and latencies by route pattern and status (low cardinality: patterns, never raw paths). */
import type { MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import type { ServingMetrics } from "../metrics.ts";

/**
 * Observe every request in `metrics` once it is answered.
 * @example app.use("*", requestMetrics({ metrics }))
 */
export function requestMetrics(opts: { metrics: ServingMetrics }): MiddlewareHandler {
  return async function requestMetricsMiddleware(c, next) {
    const t0 = performance.now();
    try {
      await next();
    } finally {
      const route = c.res.status === 404 && !c.error ? "unmatched" : routePath(c, -1) || "unmatched";
      opts.metrics.request(c.req.method, route, c.res.status, (performance.now() - t0) / 1000);
    }
  };
}
