/** The edge worker's app options from its environment bindings (wrangler.toml `[vars]`, secrets): the same keys, CORS and limits as `soilco2 serve`. */
import type { Context } from "hono";
import { ConfigError } from "../../core/errors.ts";
import type { AppOptions } from "../../serving/app.ts";
import type { ServingLimits } from "../../serving/context.ts";
import { checkApiKeys } from "../../serving/middleware/api-key.ts";

/**
 * Bindings the worker reads; all optional strings. `API_KEYS` (comma-separated; best as a secret:
 * `wrangler secret put API_KEYS`), `PUBLIC_PATHS` (comma-separated, e.g. `/demo/*`), `CORS_ORIGINS` (`*` or
 * comma-separated; no CORS headers when empty), `RATE_LIMIT` (requests per client per minute), `SITE_DAYS_RATE`
 * (site-days per client per minute), `TRUSTED_PROXIES`, the limits `MAX_SITES`, `MAX_DAYS`, `MAX_BODY_BYTES`,
 * `TIMEOUT_MS`, `MAX_REQUEST_SITE_DAYS`, `MAX_QUEUED_SITE_DAYS`, and `SERVER_VERSION`.
 */
export interface WorkerEnv {
  API_KEYS?: string;
  PUBLIC_PATHS?: string;
  CORS_ORIGINS?: string;
  RATE_LIMIT?: string;
  SITE_DAYS_RATE?: string;
  TRUSTED_PROXIES?: string;
  MAX_SITES?: string;
  MAX_DAYS?: string;
  MAX_BODY_BYTES?: string;
  TIMEOUT_MS?: string;
  MAX_REQUEST_SITE_DAYS?: string;
  MAX_QUEUED_SITE_DAYS?: string;
  SERVER_VERSION?: string;
}

const LIMIT_VARS: Record<string, keyof ServingLimits> = {
  MAX_SITES: "maxSites",
  MAX_DAYS: "maxDays",
  MAX_BODY_BYTES: "maxBodyBytes",
  TIMEOUT_MS: "timeoutMs",
  MAX_REQUEST_SITE_DAYS: "maxRequestSiteDays",
  MAX_QUEUED_SITE_DAYS: "maxQueuedSiteDays",
};

const list = (v: string | undefined) =>
  (v ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

function int(env: WorkerEnv, name: keyof WorkerEnv, min: number): number | undefined {
  const v = env[name]?.trim();
  if (!v) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min)
    throw new ConfigError(
      `binding ${name} is ${JSON.stringify(v)}, not an integer >= ${min}`,
      "fix it in wrangler.toml [vars]",
    );
  return n;
}

/**
 * App options from the bindings. The client address is `CF-Connecting-IP`, which Cloudflare sets on every request.
 * @throws {ConfigError} for a number that is not one, or an API key that is not a bearer token
 * @example workerOptions({ API_KEYS: "k1,k2", RATE_LIMIT: "600" }).apiKeys // ["k1", "k2"]
 */
export function workerOptions(
  env: WorkerEnv,
): Omit<AppOptions, "registry"> & { limits: Partial<ServingLimits> } {
  const keys = list(env.API_KEYS);
  checkApiKeys(keys);
  const limits: Partial<ServingLimits> = {};
  for (const [name, key] of Object.entries(LIMIT_VARS)) {
    const n = int(env, name as keyof WorkerEnv, 1);
    if (n !== undefined) limits[key] = n;
  }
  const perMinute = int(env, "RATE_LIMIT", 1);
  const siteDays = int(env, "SITE_DAYS_RATE", 1);
  const proxies = int(env, "TRUSTED_PROXIES", 0);
  const origins = env.CORS_ORIGINS?.trim();
  return {
    server: { name: "soilco2-edge", version: env.SERVER_VERSION ?? "0.0.0" },
    limits,
    socketAddress: (c: Context) => c.req.header("cf-connecting-ip"),
    ...(keys.length > 0 ? { apiKeys: keys } : {}),
    ...(list(env.PUBLIC_PATHS).length > 0 ? { publicPaths: list(env.PUBLIC_PATHS) } : {}),
    ...(origins ? { cors: { origins: origins === "*" ? "*" : list(origins) } } : {}),
    ...(perMinute ? { rateLimit: { perMinute, ...(siteDays ? { siteDaysPerMinute: siteDays } : {}) } } : {}),
    ...(proxies !== undefined ? { trustedProxies: proxies } : {}),
  };
}
