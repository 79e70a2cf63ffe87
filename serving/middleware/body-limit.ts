/** Body size limit with a JSON 413 (hono/body-limit underneath: Content-Length and streamed bodies alike). */
import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { errorResponse, HttpError } from "../errors.ts";

/**
 * Refuse bodies over `maxBytes` with 413 `payload_too_large`.
 * @example app.use("/v1/*", jsonBodyLimit({ maxBytes: 16 * 1024 * 1024 }))
 */
export function jsonBodyLimit(opts: { maxBytes: number }): MiddlewareHandler {
  return bodyLimit({
    maxSize: opts.maxBytes,
    onError: (c) => {
      const r = errorResponse(
        new HttpError(
          413,
          "payload_too_large",
          `the request body is larger than ${opts.maxBytes} bytes`,
          "send fewer sites per request, or split the series",
        ),
      );
      return c.json(r.body, 413);
    },
  });
}
