/** Fixed-window rate limit per client (API key, else client address), in memory: one limit per server instance. */
import type { Context, MiddlewareHandler } from "hono";
import { errorResponse, HttpError } from "../errors.ts";

/** Options of {@link rateLimit}. */
export interface RateLimitOptions {
  /** Requests allowed per client per window. */
  limit: number;
  /** Window length (default 60 000 ms). */
  windowMs?: number;
  /** The client key (default: `clientKey({ useApiKey: false })`, the client's address). */
  keyOf?: (c: Context) => string;
  /** Clock in milliseconds (default `Date.now`). */
  now?: () => number;
}

/**
 * A client key function: the API key when keys are in use and one is sent, else the client's address
 * (`address(c)`, default: first `X-Forwarded-For` hop, else `CF-Connecting-IP`, else `anonymous`).
 * @example rateLimit({ limit: 600, keyOf: clientKey({ useApiKey: true }) })
 */
export function clientKey(opts: {
  useApiKey: boolean;
  address?: (c: Context) => string | undefined;
}): (c: Context) => string {
  return (c) => {
    const auth = c.req.header("authorization");
    if (opts.useApiKey && auth?.startsWith("Bearer ")) return `key:${auth.slice(7)}`;
    const addr =
      opts.address?.(c) ??
      (c.req.header("x-forwarded-for")?.split(",")[0]?.trim() || c.req.header("cf-connecting-ip"));
    return `ip:${addr || "anonymous"}`;
  };
}

/**
 * Allow `limit` requests per client per window; the rest get 429 with `Retry-After`. Sets `RateLimit-Limit`,
 * `RateLimit-Remaining` and `RateLimit-Reset` (seconds) on every answer.
 * @example app.use("/v1/*", rateLimit({ limit: 600 }))
 */
export function rateLimit(opts: RateLimitOptions): MiddlewareHandler {
  const windowMs = opts.windowMs ?? 60_000;
  const now = opts.now ?? Date.now;
  const keyOf = opts.keyOf ?? clientKey({ useApiKey: false });
  let windowStart = 0;
  let counts = new Map<string, number>();
  return async function rateLimitMiddleware(c, next) {
    const t = now();
    if (t - windowStart >= windowMs) {
      windowStart = t;
      counts = new Map();
    }
    const key = keyOf(c);
    const used = (counts.get(key) ?? 0) + 1;
    counts.set(key, used);
    const reset = Math.max(1, Math.ceil((windowStart + windowMs - t) / 1000));
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
