// Windows and batches: warm-up, loss masking where the target is missing or not in the split, gap augmentation.
import { describe, expect, it } from "vitest";
import { inputLayout } from "../core/input-layout.ts";
import { SPLIT } from "../training/splits.ts";
import { augmentationColumns, buildBatch, makeWindows } from "../training/windows.ts";

const y = Float32Array.from({ length: 10 }, (_, t) => (t === 3 ? Number.NaN : t));
const labels = [Uint8Array.from({ length: 10 }, (_, t) => (t < 8 ? SPLIT.train : SPLIT.test))];

describe("makeWindows", () => {
  it("steps by the stride; the first window is supervised from day 0, later ones after the warm-up", () => {
    const all = [new Uint8Array(10).fill(SPLIT.train)];
    const w = makeWindows([y], all, SPLIT.train, 4, 2, 3);
    expect(w.map((x) => [x.start, x.lossFrom])).toEqual([
      [0, 0],
      [3, 2],
      [6, 2],
    ]);
    // With days 8, 9 in test, the window at 6 has no training day after its warm-up.
    expect(makeWindows([y], labels, SPLIT.train, 4, 2, 3).map((x) => x.start)).toEqual([0, 3]);
  });
  it("drops windows with no target of the label in their supervised part", () => {
    const w = makeWindows([y], labels, SPLIT.test, 4, 2, 3);
    expect(w.map((x) => x.start)).toEqual([6]);
  });
});

describe("buildBatch", () => {
  const width = 2;
  const prepared = [Float32Array.from({ length: 10 * width }, (_, i) => i)];
  const windows = [
    { site: 0, start: 0, lossFrom: 0 },
    { site: 0, start: 6, lossFrom: 2 },
  ];
  const b = buildBatch(windows, prepared, width, [y], labels, SPLIT.train, [2], 4);

  it("is time-major [time, batch, width]", () => {
    expect(b.x.time).toBe(4);
    expect(b.x.batch).toBe(2);
    // day 1 of window 0 is row (1·2 + 0); day 0 of window 1 (series day 6) is row 1
    expect(Array.from(b.x.data.subarray(2 * width, 3 * width))).toEqual([2, 3]);
    expect(Array.from(b.x.data.subarray(1 * width, 2 * width))).toEqual([12, 13]);
  });
  it("weights exactly the supervised, labelled days that have a target", () => {
    const weighted = (bb: number) => [0, 1, 2, 3].filter((k) => b.w[k * 2 + bb]! > 0);
    expect(weighted(0)).toEqual([0, 1, 2]); // day 3 has no target
    expect(weighted(1)).toEqual([]); // series days 6, 7 are warm-up; 8, 9 are test
    expect(b.w[0]).toBe(2);
    expect(b.y[2 * 2 + 0]).toBe(2);
  });
  it("pads past the series end with zero weight", () => {
    const past = buildBatch(
      [{ site: 0, start: 8, lossFrom: 0 }],
      prepared,
      width,
      [y],
      labels,
      SPLIT.test,
      [1],
      4,
    );
    expect(Array.from(past.w)).toEqual([1, 1, 0, 0]);
  });
  it("gap augmentation hides a site attribute as a real gap (value 0, mask 1), never a required one", () => {
    // 1 driver, 2 attributes: row [driver, its mask, attr 0, attr 1, attr 0 mask, attr 1 mask]
    const cols = augmentationColumns([{ gap: "required" }, { gap: "mask" }], inputLayout(1, 2), 0.999);
    expect(cols).toEqual([{ value: 3, mask: 5, p: 0.999 }]);
    expect(augmentationColumns([{ gap: "mask" }], inputLayout(1, 1), 0)).toEqual([]);
    const p6 = [Float32Array.from({ length: 10 * 6 }, () => 5)];
    const a = buildBatch([{ site: 0, start: 0, lossFrom: 0 }], p6, 6, [y], labels, SPLIT.train, [1], 3, {
      rng: () => 0,
      columns: cols,
    });
    for (let k = 0; k < 3; k++)
      expect(Array.from(a.x.data.subarray(k * 6, k * 6 + 6))).toEqual([5, 5, 5, 0, 5, 1]);
  });
});
