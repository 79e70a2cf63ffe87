/** Optional API keys: `Authorization: Bearer <key>` checked with hono/bearer-auth, failures as JSON 401/400; keys checked at start-up. */
import type { MiddlewareHandler } from "hono";
import { bearerAuth } from "hono/bearer-auth";
import { ConfigError } from "../../core/errors.ts";
import { errorBody } from "../errors.ts";

/** RFC 6750 `b64token`, the syntax hono/bearer-auth accepts: a key outside it could never authenticate. */
const TOKEN_SYNTAX = /^[A-Za-z0-9._~+/-]+=*$/;

/**
 * Check API keys before serving with them.
 * @throws {ConfigError} naming the key's position (never the key) when it is empty or not a bearer token, e.g. holds a space
 * @example checkApiKeys(["k1", "k2"])
 */
export function checkApiKeys(keys: readonly string[]): void {
  keys.forEach((key, i) => {
    if (!TOKEN_SYNTAX.test(key))
      throw new ConfigError(
        `API key ${i + 1} of ${keys.length} (${key.length} characters) is not a valid bearer token: ` +
          "it may only hold letters, digits and - . _ ~ + /, with = at the end (no spaces)",
        "a client could never send it in Authorization: Bearer <key>; pick a key like `openssl rand -hex 32` gives",
      );
  });
}

/**
 * Require one of `keys` as a bearer token.
 * @throws {ConfigError} when `keys` is empty or a key fails {@link checkApiKeys}
 * @example app.use("/v1/*", apiKeyAuth({ keys: ["k1", "k2"] }))
 */
export function apiKeyAuth(opts: { keys: readonly string[] }): MiddlewareHandler {
  if (opts.keys.length === 0) throw new ConfigError("apiKeyAuth needs at least one key");
  checkApiKeys(opts.keys);
  const send = "send Authorization: Bearer <key>";
  return bearerAuth({
    token: [...opts.keys],
    noAuthenticationHeader: {
      message: errorBody("unauthorized", "this endpoint needs an API key", send),
    },
    invalidAuthenticationHeader: {
      message: errorBody("invalid_authorization", "the Authorization header is not a bearer token", send),
    },
    invalidToken: {
      message: errorBody("unauthorized", "the API key is not valid", "check the key you were given"),
    },
  });
}
