/** Cost-based admission: the work a request causes (site-days) is bounded per request, per client and in the queue. */
import { HttpError } from "./errors.ts";
import { createWindowCounter } from "./window-counter.ts";

/** Bounds on site-days (one site over one day of its span: the unit of model work). */
export interface AdmissionLimits {
  /** Most site-days in one request (413 beyond). */
  maxRequestSiteDays: number;
  /** Most site-days admitted and not yet answered, over every model (503 with Retry-After beyond). */
  maxQueuedSiteDays: number;
  /** Site-days per client per minute (429 with Retry-After beyond); no budget when left out. */
  siteDaysPerMinute?: number;
}

/** A running admission controller. */
export interface Admission {
  /**
   * Admit a request of `siteDays` from `client`, or throw 413 / 429 / 503. Call the returned function once the
   * request's work has finished or been dropped.
   */
  admit(siteDays: number, client: string): () => void;
  /** Site-days admitted and not yet released. */
  readonly queued: number;
}

/**
 * Create an admission controller. A request alone on an idle server is never refused for the queue bound (only for
 * the per-request one), so `maxQueuedSiteDays` below `maxRequestSiteDays` still serves one at a time.
 * @example const a = createAdmission({ maxRequestSiteDays: 365_000, maxQueuedSiteDays: 1_460_000 });
 *          const release = a.admit(sites * days, "ip:10.0.0.1"); try { await work(); } finally { release(); }
 */
export function createAdmission(
  limits: AdmissionLimits,
  opts: { now?: () => number; maxClients?: number } = {},
): Admission {
  let queued = 0;
  const perClient =
    limits.siteDaysPerMinute === undefined
      ? undefined
      : createWindowCounter({
          windowMs: 60_000,
          ...(opts.maxClients ? { maxKeys: opts.maxClients } : {}),
          ...(opts.now ? { now: opts.now } : {}),
        });
  return {
    admit(siteDays, client) {
      const cost = Math.max(1, Math.ceil(siteDays));
      if (cost > limits.maxRequestSiteDays)
        throw new HttpError(
          413,
          "too_much_work",
          `the request asks for ${cost} site-days (sites × days spanned), more than the limit ${limits.maxRequestSiteDays}`,
          "send fewer sites or shorter series per request (sparse dates count their whole span)",
        );
      if (queued > 0 && queued + cost > limits.maxQueuedSiteDays)
        throw new HttpError(
          503,
          "overloaded",
          `the server has ${queued} site-days of work queued (limit ${limits.maxQueuedSiteDays})`,
          "retry after a short pause, or spread the load over more replicas",
          { headers: { "Retry-After": "1" } },
        );
      if (perClient && limits.siteDaysPerMinute !== undefined) {
        const { used, resetSeconds } = perClient.add(client, cost);
        if (used > limits.siteDaysPerMinute) {
          perClient.undo(client, cost);
          throw new HttpError(
            429,
            "rate_limited",
            `more than ${limits.siteDaysPerMinute} site-days per minute from this client`,
            `retry in ${resetSeconds} s, or ask for a higher limit`,
            { headers: { "Retry-After": String(resetSeconds) } },
          );
        }
      }
      queued += cost;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        queued -= cost;
      };
    },
    get queued() {
      return queued;
    },
  };
}
