/** While the server shuts down, new API requests get 503 with `Connection: close`, so clients go to another replica. */
import type { MiddlewareHandler } from "hono";
import { errorResponse, HttpError } from "../errors.ts";

/**
 * Refuse requests while `isShuttingDown()` is true.
 * @example app.use("/v1/*", refuseWhileDraining({ isShuttingDown: () => stopping }))
 */
export function refuseWhileDraining(opts: { isShuttingDown(): boolean }): MiddlewareHandler {
  return async function drainingMiddleware(c, next) {
    if (!opts.isShuttingDown()) return next();
    const r = errorResponse(
      new HttpError(
        503,
        "shutting_down",
        "this server is shutting down",
        "retry; another replica will answer",
      ),
    );
    return c.json(r.body, 503, { Connection: "close", "Retry-After": "1" });
  };
}
