/** JSON errors for everything: thrown errors, hono's HTTPExceptions, wrong methods (405) and unknown routes all answer `{ error: "...", code, hint }`. */
import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import { errorResponse, HttpError } from "../errors.ts";

const HTTP_CODES: Record<number, string> = {
  400: "bad_request",
  401: "unauthorized",
  403: "forbidden",
  404: "not_found",
  405: "method_not_allowed",
  408: "timeout",
  413: "payload_too_large",
  429: "rate_limited",
  503: "unavailable",
};

/**
 * The app's `onError`: an {@link HttpError} or core `Soilco2Error` keeps its status and code; a hono
 * `HTTPException` keeps its status (and its response when it carries a JSON one); anything else is a 500 whose
 * details go to `log`, never to the client.
 * @example app.onError(jsonErrors({ log: console.error }))
 */
export function jsonErrors(opts: { log?: (message: string, err: unknown) => void } = {}): ErrorHandler {
  const log = opts.log ?? ((m, e) => console.error(m, e));
  return function jsonErrorHandler(err: unknown, c: Context) {
    let e = err;
    if (err instanceof HTTPException) {
      const res = err.res;
      if (res?.headers.get("content-type")?.includes("application/json")) return err.getResponse();
      e = new HttpError(
        err.status,
        HTTP_CODES[err.status] ?? "http_error",
        err.message || "request refused",
        "",
        res ? { headers: Object.fromEntries(res.headers) } : {},
      );
    }
    const r = errorResponse(e);
    if (r.status >= 500 && !(e instanceof HttpError))
      log(`soilco2 serve: ${c.req.method} ${c.req.path} failed`, err);
    for (const [k, v] of Object.entries(r.headers)) c.header(k, v);
    return c.json(r.body, r.status as 400);
  };
}

/**
 * The app's `notFound`: 405 with `Allow` when the path exists for other methods (`allowed(path)`), else 404 JSON
 * naming the method and path.
 * @example app.notFound(jsonNotFound({ allowed: allowedMethods(app.routes) }))
 */
export function jsonNotFound(opts: { allowed?: (path: string) => string[] } = {}): NotFoundHandler {
  return function jsonNotFoundHandler(c: Context) {
    const allow = opts.allowed?.(c.req.path) ?? [];
    if (allow.length > 0) {
      const r = errorResponse(
        new HttpError(
          405,
          "method_not_allowed",
          `${c.req.method} is not allowed on ${c.req.path}`,
          `use ${allow.join(" or ")}`,
        ),
      );
      return c.json(r.body, 405, { Allow: allow.join(", ") });
    }
    const r = errorResponse(
      new HttpError(
        404,
        "not_found",
        `no route ${c.req.method} ${c.req.path}`,
        "see GET /openapi.json or /docs for the endpoints",
      ),
    );
    return c.json(r.body, 404);
  };
}
