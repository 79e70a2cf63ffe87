/** The serving limits used when none are given (own module, no runtime imports beyond core/limits.ts: `soilco2 serve --help` shows them without loading the server). */
import { DEFAULT_LIMITS } from "../core/limits.ts";
import type { ServingLimits } from "./context.ts";

/**
 * Default limits: 1000 sites, 3660 days, 16 MiB bodies, 30 s per request; 365 000 site-days per request (1000
 * site-years) and 1 460 000 site-days admitted at once.
 */
export const DEFAULT_SERVING_LIMITS: ServingLimits = {
  ...DEFAULT_LIMITS,
  maxBodyBytes: 16 * 1024 * 1024,
  timeoutMs: 30_000,
  maxRequestSiteDays: 365_000,
  maxQueuedSiteDays: 1_460_000,
};

/**
 * The shipped batching defaults, chosen with `npm run bench:serve` on the 2-core build machine (docs/serving.md):
 * no wait (Triton's default), and a cap in site-days because the CPU LSTM's scratch (time × batch × 256 floats)
 * leaves the cache beyond about 16 site-years, where throughput falls.
 */
export const DEFAULT_BATCHING = {
  maxBatch: 64,
  maxBatchDays: 16 * 365,
  maxWaitMs: 0,
  maxQueue: 4096,
  maxInflight: 2,
} as const;

/**
 * Sessions per model version and intra-op threads per session that ship, measured by `npm run bench:serve` on the
 * 2-core build machine: two sessions of one thread served 16-32% more JSON and 43-48% more binary-tensor requests at 64
 * connections than one in three runs, and as many at one connection, for about 50 MB more memory (docs/serving.md).
 */
export const DEFAULT_POOL = { sessions: 2, threads: 1 } as const;
