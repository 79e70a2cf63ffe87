/** The client's address for limits: the socket's peer, or the address a configured number of trusted proxies saw. */
import type { Context } from "hono";

/** Options of {@link clientAddress}. */
export interface ClientAddressOptions {
  /**
   * Proxies in front of the server that append to `X-Forwarded-For` (default 0: the header is ignored). With `n`,
   * the client is the `n`-th address from the right of `X-Forwarded-For, <socket peer>`, so addresses a client
   * writes into the header itself are never used.
   */
  trustedProxies?: number;
  /** The socket peer (default: `c.env.incoming.socket.remoteAddress`, which @hono/node-server provides). */
  socket?: (c: Context) => string | undefined;
}

/** The peer address @hono/node-server puts in `c.env` (no `node:` import: this module runs in workerd too). */
function nodeSocketAddress(c: Context): string | undefined {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: unknown } } } | undefined;
  const a = env?.incoming?.socket?.remoteAddress;
  return typeof a === "string" ? a : undefined;
}

/**
 * A function giving each request's client address (`unknown` when the runtime gives none).
 * @example clientAddress({ trustedProxies: 1 })(c) // "203.0.113.7" behind one load balancer
 */
export function clientAddress(opts: ClientAddressOptions = {}): (c: Context) => string {
  const hops = Math.max(0, Math.floor(opts.trustedProxies ?? 0));
  const socket = opts.socket ?? nodeSocketAddress;
  return (c) => {
    const peer = socket(c) || "unknown";
    if (hops === 0) return peer;
    const forwarded = (c.req.header("x-forwarded-for") ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
    const chain = [...forwarded, peer];
    return chain[Math.max(0, chain.length - 1 - hops)]!;
  };
}
