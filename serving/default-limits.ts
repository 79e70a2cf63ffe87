/** The serving limits used when none are given (own module, no imports: `soilco2 serve --help` shows them without loading the server). */
import type { ServingLimits } from "./context.ts";

/** Default limits: 1000 sites, 3660 days, 16 MiB bodies, 30 s per request. */
export const DEFAULT_SERVING_LIMITS: ServingLimits = {
  maxSites: 1000,
  maxDays: 3660,
  maxBodyBytes: 16 * 1024 * 1024,
  timeoutMs: 30_000,
};
