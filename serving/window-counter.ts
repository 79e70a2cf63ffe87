/** A fixed-window counter per client key with bounded memory: at most `maxKeys` keys of at most `maxKeyLength` characters. */

/** Options of {@link createWindowCounter}. */
export interface WindowCounterOptions {
  /** Window length in milliseconds. */
  windowMs: number;
  /** Most distinct keys held per window (default 10 000); later new keys share one overflow bucket. */
  maxKeys?: number;
  /** Keys are cut to this many characters (default 64: an IPv6 address with zone fits). */
  maxKeyLength?: number;
  /** Clock in milliseconds (default `Date.now`). */
  now?: () => number;
}

/** What one {@link WindowCounter.add} leaves: the key's total in this window and seconds until the window resets. */
export interface WindowUse {
  used: number;
  resetSeconds: number;
}

/** A running counter. */
export interface WindowCounter {
  /** Add `amount` to `key`'s count in the current window. */
  add(key: string, amount: number): WindowUse;
  /** Take `amount` back (a refused request that should not count). */
  undo(key: string, amount: number): void;
  /** Keys held now (at most `maxKeys + 1`, the overflow bucket included). */
  readonly size: number;
}

/** Key of the bucket shared by keys that arrive once the window holds `maxKeys`. */
export const OVERFLOW_KEY = "~overflow";

/**
 * Count per key in fixed windows. Memory is bounded whatever clients send: when the window already holds
 * `maxKeys` keys, every new key is counted in one shared overflow bucket (so a flood of fresh addresses cannot grow
 * the map, and cannot escape the limit either).
 * @example const c = createWindowCounter({ windowMs: 60_000 }); c.add("ip:10.0.0.1", 1).used // 1
 */
export function createWindowCounter(opts: WindowCounterOptions): WindowCounter {
  const maxKeys = Math.max(1, opts.maxKeys ?? 10_000);
  const maxKeyLength = Math.max(1, opts.maxKeyLength ?? 64);
  const now = opts.now ?? Date.now;
  let windowStart = Number.NEGATIVE_INFINITY;
  let counts = new Map<string, number>();
  const keyFor = (key: string) => {
    const k = key.length > maxKeyLength ? key.slice(0, maxKeyLength) : key;
    return counts.has(k) || counts.size < maxKeys ? k : OVERFLOW_KEY;
  };
  return {
    add(key, amount) {
      const t = now();
      if (t - windowStart >= opts.windowMs) {
        windowStart = t;
        counts = new Map();
      }
      const k = keyFor(key);
      const used = (counts.get(k) ?? 0) + amount;
      counts.set(k, used);
      return { used, resetSeconds: Math.max(1, Math.ceil((windowStart + opts.windowMs - t) / 1000)) };
    },
    undo(key, amount) {
      const k = keyFor(key);
      const used = counts.get(k);
      if (used !== undefined) counts.set(k, Math.max(0, used - amount));
    },
    get size() {
      return counts.size;
    },
  };
}
