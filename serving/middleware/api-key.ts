/** Optional API keys: `Authorization: Bearer <key>` checked with hono/bearer-auth, failures as JSON 401/400. */
import type { MiddlewareHandler } from "hono";
import { bearerAuth } from "hono/bearer-auth";

const unauthorized = (message: string, hint: string) => ({ error: { code: "unauthorized", message, hint } });

/**
 * Require one of `keys` as a bearer token.
 * @example app.use("/v1/*", apiKeyAuth({ keys: ["k1", "k2"] }))
 */
export function apiKeyAuth(opts: { keys: readonly string[] }): MiddlewareHandler {
  if (opts.keys.length === 0) throw new Error("apiKeyAuth needs at least one key");
  return bearerAuth({
    token: [...opts.keys],
    noAuthenticationHeader: {
      message: unauthorized("this endpoint needs an API key", "send Authorization: Bearer <key>"),
    },
    invalidAuthenticationHeader: {
      message: {
        error: {
          code: "invalid_authorization",
          message: "the Authorization header is not a bearer token",
          hint: "send Authorization: Bearer <key>",
        },
      },
    },
    invalidToken: { message: unauthorized("the API key is not valid", "check the key you were given") },
  });
}
