/** Fixed-window rate limit per client address, in memory and bounded: one limit per server instance. */
import type { Context, MiddlewareHandler } from "hono";
import { errorResponse, HttpError } from "../errors.ts";
import { createWindowCounter } from "../window-counter.ts";

/** Options of {@link rateLimit}. */
export interface RateLimitOptions {
  /** Requests allowed per client per window (failed authentications included: this runs before the key check). */
  limit: number;
  /** The client key, e.g. `clientAddress({ trustedProxies: 1 })`. */
  keyOf: (c: Context) => string;
  /** Window length (default 60 000 ms). */
  windowMs?: number;
  /** Most clients tracked per window (default 10 000); beyond, new clients share one bucket. */
  maxClients?: number;
  /** Clock in milliseconds (default `Date.now`). */
  now?: () => number;
}

/**
 * Allow `limit` requests per client per window; the rest get 429 with `Retry-After`. Sets `RateLimit-Limit`,
 * `RateLimit-Remaining` and `RateLimit-Reset` (seconds) on every answer.
 * @example app.use("*", rateLimit({ limit: 600, keyOf: clientAddress() }))
 */
export function rateLimit(opts: RateLimitOptions): MiddlewareHandler {
  const windowMs = opts.windowMs ?? 60_000;
  const counter = createWindowCounter({
    windowMs,
    ...(opts.maxClients ? { maxKeys: opts.maxClients } : {}),
    ...(opts.now ? { now: opts.now } : {}),
  });
  return async function rateLimitMiddleware(c, next) {
    const { used, resetSeconds: reset } = counter.add(opts.keyOf(c), 1);
    const headers = {
      "RateLimit-Limit": String(opts.limit),
      "RateLimit-Remaining": String(Math.max(0, opts.limit - used)),
      "RateLimit-Reset": String(reset),
    };
    if (used > opts.limit) {
      const r = errorResponse(
        new HttpError(
          429,
          "rate_limited",
          `more than ${opts.limit} requests in ${windowMs / 1000} s`,
          `retry in ${reset} s, or ask for a higher limit`,
        ),
      );
      return c.json(r.body, 429, { ...headers, "Retry-After": String(reset) });
    }
    await next();
    for (const [k, v] of Object.entries(headers)) c.res.headers.set(k, v);
  };
}
