/** Which paths a guard covers: the always-open health probes, configured public paths, and a middleware that skips them. */
import type { MiddlewareHandler } from "hono";

/** Routes that are always open (Kubernetes probes): no key, no rate limit. */
export const HEALTH_PATHS: readonly string[] = ["/v2/health/live", "/v2/health/ready"];

/**
 * Whether `path` is one of `patterns`: exact paths, or prefixes written `/demo/*` (which include `/demo`).
 * @example pathIn(["/metrics", "/demo/*"], "/demo/widget/x.js") // true
 */
export function pathIn(patterns: readonly string[], path: string): boolean {
  return patterns.some((p) =>
    p.endsWith("/*") ? path === p.slice(0, -2) || path.startsWith(p.slice(0, -1)) : path === p,
  );
}

/**
 * Run `guard` except on paths `skip` accepts.
 * @example app.use("*", unless((p) => pathIn(HEALTH_PATHS, p), apiKeyAuth({ keys })))
 */
export function unless(skip: (path: string) => boolean, guard: MiddlewareHandler): MiddlewareHandler {
  return async function unlessMiddleware(c, next) {
    return skip(c.req.path) ? next() : guard(c, next);
  };
}
