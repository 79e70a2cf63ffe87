// Micro-batcher unit tests: gathering, order, bounds, error isolation, aborts, and the length grouping of batches.
import { describe, expect, it } from "vitest";
import { createBatcher } from "../serving/batcher.ts";
import { HttpError } from "../serving/errors.ts";
import { groupByLength } from "../serving/infer.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A batch function that doubles numbers, records each call, and fails on negative items. */
function doubler(delayMs = 0) {
  const calls: number[][] = [];
  let running = 0;
  let maxRunning = 0;
  const run = async (items: number[]) => {
    calls.push([...items]);
    running++;
    maxRunning = Math.max(maxRunning, running);
    if (delayMs) await sleep(delayMs);
    running--;
    if (items.some((x) => x < 0)) throw new Error(`negative item in ${items.join(",")}`);
    return items.map((x) => 2 * x);
  };
  return { run, calls, maxRunning: () => maxRunning };
}

describe("micro-batcher", () => {
  it("gathers requests that arrive while a batch runs into one call and answers each in its own order", async () => {
    const d = doubler(10);
    const b = createBatcher({ run: d.run, maxBatch: 64, maxInflight: 1 });
    const [z, a, c, e] = await Promise.all([
      b.submit([0]),
      b.submit([1, 2, 3]),
      b.submit([10]),
      b.submit([20, 21]),
    ]);
    expect(z).toEqual([0]);
    expect(a).toEqual([2, 4, 6]);
    expect(c).toEqual([20]);
    expect(e).toEqual([40, 42]);
    expect(d.calls).toEqual([[0], [1, 2, 3, 10, 20, 21]]);
  });

  it("runs a request at once when the model is idle, whatever maxWaitMs says (Triton's default)", async () => {
    const d = doubler();
    // a wait long enough that no stall of a loaded machine is mistaken for it
    const b = createBatcher({ run: d.run, maxBatch: 64, maxWaitMs: 2000 });
    const t0 = performance.now();
    const p = b.submit([7]);
    expect(d.calls).toEqual([[7]]);
    expect(await p).toEqual([14]);
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it("caps a batch by cost (site-days) and counts the queue in that unit", async () => {
    const d = doubler(10);
    const b = createBatcher({ run: d.run, maxBatch: 64, maxBatchCost: 100, cost: (x) => x, maxInflight: 1 });
    const first = b.submit([1]);
    const rest = b.submit([60, 30, 20, 50]);
    expect(b.queuedCost).toBe(160);
    expect(b.queued).toBe(4);
    await Promise.all([first, rest]);
    expect(d.calls).toEqual([[1], [60, 30], [20, 50]]);
    expect(b.queuedCost).toBe(0);
  });

  it("never puts more than maxBatch items in one call, splitting a large request", async () => {
    const d = doubler(2);
    const b = createBatcher({ run: d.run, maxBatch: 8, maxWaitMs: 1 });
    const big = Array.from({ length: 30 }, (_, i) => i);
    const small = [100, 101, 102];
    const [x, y] = await Promise.all([b.submit(big), b.submit(small)]);
    expect(x).toEqual(big.map((v) => 2 * v));
    expect(y).toEqual([200, 202, 204]);
    expect(Math.max(...d.calls.map((c) => c.length))).toBeLessThanOrEqual(8);
    expect(d.calls.flat().sort((p, q) => p - q)).toEqual([...big, ...small].sort((p, q) => p - q));
  });

  it("while a batch runs, waits at most about maxWaitMs for company, then runs a lone request", async () => {
    const d = doubler(200);
    const b = createBatcher({ run: d.run, maxBatch: 64, maxWaitMs: 30, maxInflight: 2 });
    const busy = b.submit([1]);
    const t0 = performance.now();
    const p = b.submit([7]);
    await sleep(5);
    expect(d.calls).toEqual([[1]]);
    expect(await p).toEqual([14]);
    const waited = performance.now() - t0;
    expect(waited).toBeGreaterThanOrEqual(25);
    expect(waited).toBeLessThan(1000);
    await busy;
  });

  it("starts at once when a full batch is queued", async () => {
    const d = doubler();
    const b = createBatcher({ run: d.run, maxBatch: 4, maxWaitMs: 10_000 });
    expect(await b.submit([1, 2, 3, 4])).toEqual([2, 4, 6, 8]);
  });

  it("runs at most maxInflight batches at once, gathering the rest meanwhile", async () => {
    const d = doubler(20);
    const b = createBatcher({ run: d.run, maxBatch: 64, maxWaitMs: 0, maxInflight: 1 });
    const all = await Promise.all(Array.from({ length: 10 }, (_, i) => b.submit([i])));
    expect(all.map((r) => r[0])).toEqual(Array.from({ length: 10 }, (_, i) => 2 * i));
    expect(d.maxRunning()).toBe(1);
    expect(d.calls.length).toBeLessThan(10);
  });

  it("isolates a failing request: the others in its batch still get their answers", async () => {
    const d = doubler();
    const b = createBatcher({ run: d.run, maxBatch: 64, maxInflight: 1 });
    const busy = b.submit([0]);
    const results = await Promise.allSettled([b.submit([1, 2]), b.submit([3, -1]), b.submit([4])]);
    expect(results[0]).toEqual({ status: "fulfilled", value: [2, 4] });
    expect(results[1]!.status).toBe("rejected");
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/negative item in 3,-1/);
    expect(results[2]).toEqual({ status: "fulfilled", value: [8] });
    expect(d.calls[1]).toEqual([1, 2, 3, -1, 4]);
    await busy;
  });

  it("rejects a batch function that returns the wrong number of outputs", async () => {
    const b = createBatcher({ run: async (items: number[]) => items.slice(1), maxWaitMs: 0 });
    await expect(b.submit([1, 2])).rejects.toThrow(/returned 1 outputs for 2 items/);
  });

  it("refuses with 503 overloaded when the queue is full, and recovers", async () => {
    const d = doubler(30);
    const b = createBatcher({ run: d.run, maxBatch: 2, maxWaitMs: 0, maxQueue: 3, maxInflight: 1 });
    const first = b.submit([1, 2]); // runs at once
    const second = b.submit([3, 4, 5]); // waits: 3 queued
    const third = b.submit([6]);
    await expect(third).rejects.toMatchObject({ status: 503, code: "overloaded" });
    await expect(third).rejects.toBeInstanceOf(HttpError);
    expect(await first).toEqual([2, 4]);
    expect(await second).toEqual([6, 8, 10]);
    expect(await b.submit([6])).toEqual([12]);
  });

  it("drops the queued items of an aborted request (timeout) and rejects with the signal's reason", async () => {
    const d = doubler(30);
    const b = createBatcher({ run: d.run, maxBatch: 2, maxWaitMs: 0, maxInflight: 1 });
    const busy = b.submit([1, 2]);
    const ctl = new AbortController();
    const late = b.submit([50, 51], ctl.signal);
    const reason = new HttpError(408, "timeout", "too slow");
    ctl.abort(reason);
    await expect(late).rejects.toBe(reason);
    expect(await busy).toEqual([2, 4]);
    await sleep(40);
    expect(d.calls.flat()).not.toContain(50);
    expect(b.queued).toBe(0);
  });

  it("rejects at once when aborted while running, and keeps serving the rest", async () => {
    const d = doubler(40);
    const b = createBatcher({ run: d.run, maxBatch: 8, maxWaitMs: 0 });
    const ctl = new AbortController();
    const p = b.submit([1], ctl.signal);
    await sleep(5);
    ctl.abort(new Error("gone"));
    await expect(p).rejects.toThrow("gone");
    expect(await b.submit([2])).toEqual([4]);
  });

  it("rejects a request whose signal is already aborted without running it", async () => {
    const d = doubler();
    const b = createBatcher({ run: d.run });
    await expect(b.submit([1], AbortSignal.abort(new Error("already")))).rejects.toThrow("already");
    expect(d.calls).toHaveLength(0);
  });

  it("with batching off, runs every request alone in chunks of maxBatch", async () => {
    const d = doubler();
    const sizes: number[] = [];
    const b = createBatcher({ run: d.run, enabled: false, maxBatch: 4, onBatch: (i) => sizes.push(i.size) });
    const [x, y] = await Promise.all([b.submit([1, 2, 3, 4, 5, 6]), b.submit([7])]);
    expect(x).toEqual([2, 4, 6, 8, 10, 12]);
    expect(y).toEqual([14]);
    expect(d.calls).toEqual([[1, 2, 3, 4], [7], [5, 6]]);
    expect(sizes.sort()).toEqual([1, 2, 4]);
  });

  it("reports each batch's size, requests and queue waits", async () => {
    const infos: { size: number; jobs: number; waits: number }[] = [];
    const b = createBatcher({
      run: doubler(5).run,
      maxInflight: 1,
      onBatch: (i) => infos.push({ size: i.size, jobs: i.jobs, waits: i.queueWaitMs.length }),
    });
    await Promise.all([b.submit([0]), b.submit([1, 2]), b.submit([3])]);
    expect(infos).toEqual([
      { size: 1, jobs: 1, waits: 1 },
      { size: 3, jobs: 2, waits: 2 },
    ]);
  });

  it("answers an empty request with no call", async () => {
    const d = doubler();
    expect(await createBatcher({ run: d.run }).submit([])).toEqual([]);
    expect(d.calls).toHaveLength(0);
  });
});

describe("groupByLength", () => {
  it("keeps similar lengths together and separates very different ones", () => {
    expect(groupByLength([365, 30, 360, 31])).toEqual([
      [1, 3],
      [2, 0],
    ]);
    expect(groupByLength([365, 365, 365])).toEqual([[0, 1, 2]]);
    expect(groupByLength([])).toEqual([]);
  });

  it("bounds padding: size x longest <= factor x total in every group", () => {
    const lengths = Array.from({ length: 200 }, (_, i) => 1 + ((i * 7919) % 3650));
    const groups = groupByLength(lengths, 1.5);
    expect(groups.flat().sort((a, b) => a - b)).toEqual(lengths.map((_, i) => i));
    for (const g of groups) {
      const ls = g.map((i) => lengths[i]!);
      expect(g.length * Math.max(...ls)).toBeLessThanOrEqual(1.5 * ls.reduce((a, b) => a + b, 0));
    }
  });
});
