/** Body size limit with a JSON 413: a declared Content-Length is checked from the header, streamed bodies by hono/body-limit. */
import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { errorResponse, HttpError } from "../errors.ts";

/**
 * Refuse bodies over `maxBytes` with 413 `payload_too_large`.
 *
 * A body with a Content-Length (and no Transfer-Encoding) is judged by that header alone, exactly as hono's
 * bodyLimit does, but without touching `c.req.raw.body`: on Node that getter turns @hono/node-server's lightweight
 * request into a full web Request with a web stream, which made every JSON body slower to read (visible in a CPU
 * profile of the server under `npm run bench:serve`). Node's HTTP parser never delivers more bytes than
 * the Content-Length declares. Anything else (chunked bodies) streams through hono's bodyLimit, which counts bytes.
 * @example app.use("/v1/*", jsonBodyLimit({ maxBytes: 16 * 1024 * 1024 }))
 */
export function jsonBodyLimit(opts: { maxBytes: number }): MiddlewareHandler {
  const tooLarge = (c: Context) => {
    const r = errorResponse(
      new HttpError(
        413,
        "payload_too_large",
        `the request body is larger than ${opts.maxBytes} bytes`,
        "send fewer sites per request, or split the series",
      ),
    );
    return c.json(r.body, 413);
  };
  const streamed = bodyLimit({ maxSize: opts.maxBytes, onError: tooLarge });
  return async (c, next) => {
    const length = c.req.header("content-length");
    if (length !== undefined && c.req.header("transfer-encoding") === undefined)
      return Number.parseInt(length, 10) > opts.maxBytes ? tooLarge(c) : next();
    return streamed(c, next);
  };
}
