// Data-parallel training steps: a sharded step equals the single-thread step on the same batch, and repeats bit for bit.
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inputLayout } from "../core/input-layout.ts";
import { selectBackend } from "../training/backend.ts";
import type { Experiment } from "../training/experiment.ts";
import { maskedLoss } from "../training/loss.ts";
import { type Architecture, forward, initParams, paramList } from "../training/model.ts";
import { createGradPool, type GradPool, shareSites } from "../training/parallel/data-parallel.ts";
import { predictSeries } from "../training/predict.ts";
import { SPLIT } from "../training/splits.ts";
import { validationSeries } from "../training/train-loop.ts";
import type { Batch } from "../training/windows.ts";

const T = 30;
const L = inputLayout(2, 3); // 2 drivers, 3 site attributes
const I = L.width;
const dyn = (c: number, mean: number, std: number) => ({
  value: L.dynamicValue(c),
  mask: L.dynamicMask(c),
  mean,
  std,
});
const st = (j: number, mean: number, std: number) => ({
  value: L.staticValue(j),
  mask: L.staticMask(j),
  mean,
  std,
});
const ARCH: Architecture = {
  type: "lstm-softplus",
  hidden: 8,
  inputWidth: I,
  dynamicCols: L.dynamicCols,
  staticCols: L.staticCols,
  head: "prior",
  // the prior on driver 0 and the three attributes (random normal inputs: a mask is never exactly 1)
  prior: {
    tsoil: dyn(0, 10, 5),
    fluxRef: st(0, 2, 0.5),
    fluxQ10: st(1, 2, 0.3),
    tsoilRef: st(2, 10, 3),
    targetScale: 2,
  },
};

/** A batch of B windows with every other day supervised and a few windows padded (weight 0) at the end. */
function batch(B: number, seed: number): Batch {
  const x = tf.randomNormal([T * B * I], 0, 1, "float32", seed).dataSync() as Float32Array;
  const y = tf.randomUniform([T * B], 0, 2, "float32", seed + 1).dataSync() as Float32Array;
  const w = new Float32Array(T * B);
  for (let r = 0; r < T * B; r++) w[r] = r % 2 === 0 && r < T * B - 3 * B ? 1 + (r % 5) / 5 : 0;
  return { x: { data: x, time: T, batch: B, input: I }, y, w };
}

function supervised(b: Batch): number {
  return b.w.reduce((n, w) => n + (w > 0 ? 1 : 0), 0);
}

const pools: GradPool[] = [];
async function pool(workers: number): Promise<GradPool> {
  const p = await createGradPool(ARCH, workers, "wasm");
  pools.push(p);
  return p;
}

beforeAll(async () => {
  await selectBackend("wasm");
});
afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
});

const arrays = (g: tf.NamedTensorMap) => Object.values(g).map((t) => t.dataSync() as Float32Array);

describe("data-parallel training step", () => {
  it("with one worker equals training/model.ts forward with tf.dropout, bit for bit", async () => {
    const params = initParams(ARCH, 3);
    const b = batch(7, 1);
    const single = await (await pool(1)).step(params, b, 0.3, 11);
    const ref = tf.variableGrads(
      () =>
        maskedLoss(forward(params, ARCH, b.x, 0.3, 11), tf.tensor1d(b.y), tf.tensor1d(b.w), supervised(b)),
      paramList(params),
    );
    expect(single.loss).toBe(ref.value.dataSync()[0]);
    expect(arrays(single.grads)).toEqual(paramList(params).map((v) => ref.grads[v.name]!.dataSync()));
  });

  it.each([2, 3])(
    "over %i threads equals the single-thread step on the same batch (1e-5)",
    async (workers) => {
      const params = initParams(ARCH, 5);
      const b = batch(7, 2); // 7 windows: shards of unequal size
      const single = await (await pool(1)).step(params, b, 0.3, 13);
      const sharded = await (await pool(workers)).step(params, b, 0.3, 13);
      expect(Math.abs(sharded.loss - single.loss) / single.loss).toBeLessThan(1e-5);
      const ref = arrays(single.grads);
      arrays(sharded.grads).forEach((g, i) => {
        const scale = Math.max(...ref[i]!.map(Math.abs));
        const diff = Math.max(...g.map((v, j) => Math.abs(v - ref[i]![j]!)));
        expect(diff / scale).toBeLessThan(1e-5);
      });
    },
  );

  it("repeats bit for bit for a given batch, seed and worker count", async () => {
    const params = initParams(ARCH, 8);
    const b = batch(9, 3);
    const p = await pool(2);
    const first = arrays((await p.step(params, b, 0.3, 17)).grads);
    const again = arrays((await p.step(params, b, 0.3, 17)).grads);
    const fresh = arrays((await (await pool(2)).step(params, b, 0.3, 17)).grads);
    expect(again).toEqual(first);
    expect(fresh).toEqual(first);
    // A different dropout seed changes the gradients: the comparison above can fail.
    const other = arrays((await p.step(params, b, 0.3, 18)).grads);
    expect(other).not.toEqual(first);
  });
});

describe("data-parallel series", () => {
  it("shares sites out by length, each site once", () => {
    const parts = shareSites([100, 10, 60, 50, 5], 2);
    expect(parts.flat().sort()).toEqual([0, 1, 2, 3, 4]);
    expect(parts).toEqual([
      [0, 1, 4],
      [2, 3],
    ]);
  });

  it("over 2 threads equals predictSeries in one thread, site by site", async () => {
    const params = initParams(ARCH, 9);
    const lengths = [40, 7, 90, 33, 12, 65];
    const prepared = lengths.map(
      (len, i) => tf.randomNormal([len * I], 0, 1, "float32", 20 + i).dataSync() as Float32Array,
    );
    const one = predictSeries(params, ARCH, prepared, I, 2.5, 8);
    const two = await (await pool(2)).series(params, prepared, I, 2.5, 8);
    expect(two.map((s) => s.length)).toEqual(lengths);
    two.forEach((s, i) => {
      const diff = Math.max(...s.map((v, t) => Math.abs(v - one[i]![t]!)));
      expect(diff).toBeLessThan(1e-5);
    });
  });
});

describe("validationSeries: what an epoch's check runs", () => {
  it("gives every validation day as the full series does, runs no day after a site's last one, and skips sites without", async () => {
    const params = initParams(ARCH, 11);
    const lengths = [40, 25, 60];
    const prepared = lengths.map(
      (len, i) => tf.randomNormal([len * I], 0, 1, "float32", 40 + i).dataSync() as Float32Array,
    );
    // site 0: validation on days 20-29 then test; site 1: none (held out); site 2: validation at its end
    const labels = lengths.map((len, i) =>
      Uint8Array.from({ length: len }, (_, t) =>
        i === 1
          ? SPLIT.test
          : i === 0
            ? t < 20
              ? SPLIT.train
              : t < 30
                ? SPLIT.val
                : SPLIT.test
            : t < 50
              ? SPLIT.train
              : SPLIT.val,
      ),
    );
    const exp = { labels, prepared, width: I } as unknown as Experiment;
    const ran: number[] = [];
    const full = predictSeries(params, ARCH, prepared, I, 2.5, 8);
    const cut = await validationSeries(exp, async (inputs) => {
      ran.push(...inputs.map((x) => x.length / I));
      return predictSeries(params, ARCH, inputs, I, 2.5, 8);
    });
    expect(ran).toEqual([30, 60]);
    expect(cut.map((s) => s.length)).toEqual([30, 0, 60]);
    for (const i of [0, 2])
      labels[i]!.forEach((c, t) => {
        if (c === SPLIT.val) expect(cut[i]![t]).toBeCloseTo(full[i]![t]!, 5);
      });
  });
});
