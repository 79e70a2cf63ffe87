/** {@link ServingMetrics} on prom-client: request counts and latencies, micro-batch sizes and waits, inference time, model state. */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { ServingMetrics } from "../metrics.ts";

/** Names of the metrics, for docs and tests. */
export const METRIC_NAMES = {
  requests: "soilco2_http_requests_total",
  duration: "soilco2_http_request_duration_seconds",
  batchSites: "soilco2_batch_sites",
  queueWait: "soilco2_batch_queue_wait_seconds",
  inference: "soilco2_inference_seconds",
  sitesPredicted: "soilco2_sites_predicted_total",
  modelState: "soilco2_model_state",
  modelInfo: "soilco2_model_info",
} as const;

/**
 * Create the metrics in a registry (a fresh one by default; prom-client's standard `process_*` and `nodejs_*`
 * metrics added unless `defaultMetrics: false`). Model metrics carry `model` and `version` labels.
 * @example const metrics = createPromMetrics(); const app = createApp({ registry, metrics });
 */
export function createPromMetrics(
  opts: { registry?: Registry; defaultMetrics?: boolean } = {},
): ServingMetrics & { registry: Registry } {
  const registry = opts.registry ?? new Registry();
  if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const requests = new Counter({
    name: METRIC_NAMES.requests,
    help: "HTTP requests by method, route pattern and status",
    labelNames: ["method", "route", "status"],
    registers,
  });
  const duration = new Histogram({
    name: METRIC_NAMES.duration,
    help: "HTTP request latency in seconds, by method and route pattern",
    labelNames: ["method", "route"],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers,
  });
  const batchSites = new Histogram({
    name: METRIC_NAMES.batchSites,
    help: "Sites per micro-batch",
    labelNames: ["model", "version"],
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512],
    registers,
  });
  const queueWait = new Histogram({
    name: METRIC_NAMES.queueWait,
    help: "Seconds a request waited in the micro-batch queue before its first batch started",
    labelNames: ["model", "version"],
    buckets: [0.0001, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers,
  });
  const inference = new Histogram({
    name: METRIC_NAMES.inference,
    help: "Seconds per model call (session.run), by model and execution provider",
    labelNames: ["model", "version", "provider"],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers,
  });
  const sitesPredicted = new Counter({
    name: METRIC_NAMES.sitesPredicted,
    help: "Site series predicted",
    labelNames: ["model", "version"],
    registers,
  });
  const modelState = new Gauge({
    name: METRIC_NAMES.modelState,
    help: "Model versions by load state: 1 for the current state (loading, ready, failed), 0 for the others",
    labelNames: ["model", "version", "state"],
    registers,
  });
  const modelInfo = new Gauge({
    name: METRIC_NAMES.modelInfo,
    help: "1 per loaded model version, labelled with its execution provider",
    labelNames: ["model", "version", "provider"],
    registers,
  });
  return {
    registry,
    request(method, route, status, seconds) {
      requests.inc({ method, route, status: String(status) });
      duration.observe({ method, route }, seconds);
    },
    batch(model, version, sites, waits) {
      batchSites.observe({ model, version }, sites);
      for (const w of waits) queueWait.observe({ model, version }, w);
    },
    inference(model, version, provider, sites, seconds) {
      inference.observe({ model, version, provider }, seconds);
      sitesPredicted.inc({ model, version }, sites);
    },
    modelState(model, version, state, provider) {
      for (const s of ["loading", "ready", "failed"])
        modelState.set({ model, version, state: s }, s === state ? 1 : 0);
      if (provider) modelInfo.set({ model, version, provider }, 1);
    },
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}
