/** `GET /metrics`: the Prometheus exposition of the app's {@link ServingMetrics}. */

import type { ServingApp } from "../context.ts";
import type { ServingMetrics } from "../metrics.ts";

/** Add `GET /metrics` (only when the app has a metrics sink). */
export function metricsRoutes(app: ServingApp, metrics: ServingMetrics): void {
  app.get("/metrics", async (c) => {
    const { contentType, body } = await metrics.render();
    return c.body(body, 200, { "Content-Type": contentType });
  });
}
