/**
 * Micro-batching, runtime-neutral: items of concurrent requests are gathered into one model call. Triton's dynamic
 * batcher rule: an idle model runs a request at once; only while batches are running do requests queue, and the
 * next free slot takes everything queued (up to the caps) as one batch.
 */
import { HttpError } from "./errors.ts";

/** What one dispatched batch held, for metrics. */
export interface BatchInfo {
  /** Items in the batch. */
  size: number;
  /** Requests (submit calls) that items came from. */
  jobs: number;
  /** Milliseconds each of those requests waited in the queue before this batch started. */
  queueWaitMs: number[];
}

/** Options of {@link createBatcher}; every bound has a default. */
export interface BatcherOptions<I, O> {
  /** Runs one batch: one output per item, in item order. */
  run(items: I[]): Promise<O[]>;
  /** Most items in one call of `run` (default 64). A request with more items is spread over several batches. */
  maxBatch?: number;
  /**
   * Most cost (see `cost`) in one call of `run`, e.g. site-days (default unbounded); a batch always takes at least
   * one item.
   */
  maxBatchCost?: number;
  /** The cost of an item, e.g. its days (default 1). Queue depth in these units: {@link Batcher.queuedCost}. */
  cost?(item: I): number;
  /**
   * Longest time the oldest queued item waits for company while another batch is running (default 0: a free slot
   * takes what is queued at once). Never applies when no batch is running: an idle model runs a request at once.
   */
  maxWaitMs?: number;
  /** Most items waiting; a request that would go beyond is refused with 503 `overloaded` (default 4096). */
  maxQueue?: number;
  /** Batches running at once (default 2: one runs while the next is handed over). */
  maxInflight?: number;
  /** `false`: no gathering, each request runs alone (still in chunks of `maxBatch`). Default true. */
  enabled?: boolean;
  onBatch?(info: BatchInfo): void;
  /** Clock in milliseconds (default `performance.now`). */
  now?: () => number;
}

/** A running batcher. */
export interface Batcher<I, O> {
  /**
   * Queue a request's items; resolves with their outputs in order. Rejects with `run`'s error if a batch holding
   * them fails (a failing batch of several requests is re-run per request, so one bad request fails alone), with
   * 503 `overloaded` when the queue is full, or with the signal's reason when it aborts first.
   */
  submit(items: readonly I[], signal?: AbortSignal): Promise<O[]>;
  /** Items queued and not yet running. */
  readonly queued: number;
  /** Cost of the items queued and not yet running (site-days when `cost` counts days): for admission control. */
  readonly queuedCost: number;
  /** Batches running now. */
  readonly inflight: number;
}

interface Job<I, O> {
  items: readonly I[];
  results: O[];
  left: number;
  done: boolean;
  enqueued: number;
  resolve(value: O[]): void;
  reject(err: unknown): void;
}

interface Slot<I, O> {
  job: Job<I, O>;
  index: number;
  cost: number;
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason instanceof Error
    ? signal.reason
    : new HttpError(408, "timeout", "the request was cancelled before it ran");
}

/**
 * Create a micro-batcher around a batch function.
 * @example const b = createBatcher({ run: (sites) => runSites(predictor, sites, schema), maxBatch: 64 });
 *          const rows = await b.submit(encodedSites, c.var.signal);
 */
export function createBatcher<I, O>(opts: BatcherOptions<I, O>): Batcher<I, O> {
  const maxBatch = Math.max(1, opts.maxBatch ?? 64);
  const maxWaitMs = Math.max(0, opts.maxWaitMs ?? 0);
  const maxBatchCost = opts.maxBatchCost ?? Number.POSITIVE_INFINITY;
  const costOf = opts.cost ?? (() => 1);
  const maxQueue = Math.max(1, opts.maxQueue ?? 4096);
  const maxInflight = Math.max(1, opts.maxInflight ?? 2);
  const now = opts.now ?? (() => performance.now());
  const queue: Slot<I, O>[] = [];
  let inflight = 0;
  let queuedCost = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const call = async (items: I[]): Promise<O[]> => {
    const out = await opts.run(items);
    if (out.length !== items.length)
      throw new Error(`batch function returned ${out.length} outputs for ${items.length} items`);
    return out;
  };
  const fail = (job: Job<I, O>, err: unknown) => {
    if (job.done) return;
    job.done = true;
    job.reject(err);
  };
  const complete = (job: Job<I, O>, index: number, value: O) => {
    if (job.done) return;
    job.results[index] = value;
    if (--job.left === 0) {
      job.done = true;
      job.resolve(job.results);
    }
  };

  /** Run one batch. The slot is freed (and the next batch started) before answers are handed out, so the
   *  callers' response work overlaps with the next model call. */
  async function runSlots(slots: Slot<I, O>[]): Promise<void> {
    let out: O[] | undefined;
    let error: unknown;
    try {
      out = await call(slots.map((s) => s.job.items[s.index]!));
    } catch (err) {
      error = err;
    }
    inflight--;
    schedule();
    if (out) {
      for (const [k, s] of slots.entries()) complete(s.job, s.index, out[k]!);
      return;
    }
    const jobs = [...new Set(slots.map((s) => s.job))];
    if (jobs.length === 1) return fail(jobs[0]!, error);
    for (const job of jobs) {
      if (job.done) continue;
      const mine = slots.filter((s) => s.job === job);
      try {
        const again = await call(mine.map((s) => job.items[s.index]!));
        for (const [k, s] of mine.entries()) complete(job, s.index, again[k]!);
      } catch (e) {
        fail(job, e);
      }
    }
  }

  /** Take the head of the queue up to `maxBatch` items and `maxBatchCost` (at least one item). */
  function take(): Slot<I, O>[] {
    let n = 0;
    let cost = 0;
    while (n < queue.length && n < maxBatch && (n === 0 || cost + queue[n]!.cost <= maxBatchCost))
      cost += queue[n++]!.cost;
    queuedCost -= cost;
    return queue.splice(0, n);
  }

  function dispatch(): void {
    const slots = take().filter((s) => !s.job.done);
    if (slots.length === 0) return;
    const t = now();
    const jobs = [...new Set(slots.map((s) => s.job))];
    opts.onBatch?.({ size: slots.length, jobs: jobs.length, queueWaitMs: jobs.map((j) => t - j.enqueued) });
    inflight++;
    void runSlots(slots);
  }

  function schedule(): void {
    while (inflight < maxInflight && queue.length > 0) {
      const due = queue[0]!.job.enqueued + maxWaitMs;
      const t = now();
      if (inflight === 0 || queue.length >= maxBatch || queuedCost >= maxBatchCost || t >= due) {
        dispatch();
        continue;
      }
      if (timer === undefined)
        timer = setTimeout(
          () => {
            timer = undefined;
            schedule();
          },
          Math.max(0, due - t),
        );
      return;
    }
    if (queue.length === 0 && timer !== undefined) {
      clearTimeout(timer);
      timer = undefined;
    }
  }

  async function runAlone(items: readonly I[]): Promise<O[]> {
    const out: O[] = [];
    for (let i = 0; i < items.length; i += maxBatch) {
      const chunk = items.slice(i, i + maxBatch);
      opts.onBatch?.({ size: chunk.length, jobs: 1, queueWaitMs: i === 0 ? [0] : [] });
      inflight++;
      try {
        out.push(...(await call(chunk)));
      } finally {
        inflight--;
      }
    }
    return out;
  }

  return {
    submit(items, signal) {
      if (items.length === 0) return Promise.resolve([]);
      if (signal?.aborted) return Promise.reject(abortReason(signal));
      if (opts.enabled === false) return runAlone(items);
      if (queue.length > 0 && queue.length + items.length > maxQueue)
        return Promise.reject(
          new HttpError(
            503,
            "overloaded",
            `the prediction queue is full (${queue.length} sites waiting, limit ${maxQueue})`,
            "retry after a short pause, or spread the load over more replicas",
            { headers: { "Retry-After": "1" } },
          ),
        );
      return new Promise<O[]>((resolve, reject) => {
        const onAbort = () => {
          for (let i = queue.length - 1; i >= 0; i--)
            if (queue[i]!.job === job) queuedCost -= queue.splice(i, 1)[0]!.cost;
          fail(job, abortReason(signal!));
          schedule();
        };
        const job: Job<I, O> = {
          items,
          results: new Array<O>(items.length),
          left: items.length,
          done: false,
          enqueued: now(),
          resolve: (v) => {
            signal?.removeEventListener("abort", onAbort);
            resolve(v);
          },
          reject: (e) => {
            signal?.removeEventListener("abort", onAbort);
            reject(e);
          },
        };
        signal?.addEventListener("abort", onAbort, { once: true });
        for (let i = 0; i < items.length; i++) {
          const cost = costOf(items[i]!);
          queuedCost += cost;
          queue.push({ job, index: i, cost });
        }
        schedule();
      });
    },
    get queued() {
      return queue.length;
    },
    get queuedCost() {
      return queuedCost;
    },
    get inflight() {
      return inflight;
    },
  };
}
