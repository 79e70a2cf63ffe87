/** Per-request deadline: past `timeoutMs` the request is answered 408 and its signal aborts queued work. */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../context.ts";
import { HttpError } from "../errors.ts";

/**
 * Race the rest of the chain against a timer. Sets `c.var.signal`, which aborts at the deadline, so the
 * micro-batcher drops the request's sites that have not started yet.
 * @example app.use("/v1/*", deadline({ timeoutMs: 30_000 }))
 */
export function deadline(opts: { timeoutMs: number }): MiddlewareHandler<AppEnv> {
  return async function deadlineMiddleware(c, next) {
    const controller = new AbortController();
    c.set("signal", controller.signal);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const err = new HttpError(
          408,
          "timeout",
          `the request took longer than ${opts.timeoutMs} ms`,
          "send fewer sites or days per request, or retry when the server is less busy",
        );
        controller.abort(err);
        reject(err);
      }, opts.timeoutMs);
    });
    const work = next();
    work.catch(() => {}); // a late failure after the deadline is already answered
    try {
      await Promise.race([work, expired]);
    } finally {
      clearTimeout(timer);
    }
  };
}
