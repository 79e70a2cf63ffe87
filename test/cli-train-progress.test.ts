// The training progress bar on a terminal: after stopAll (Ctrl-C), a next epoch's bar neither starts nor hides
// the cursor again, so the terminal the interrupt handler gave back stays given back.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { progressHooks } from "../cli/train-progress.ts";
import type { EpochRecord } from "../training/train-loop.ts";

const HIDE_CURSOR = "\u001b[?25l";
let written = "";
const realWrite = process.stderr.write;
const realTty = process.stderr.isTTY;

beforeEach(() => {
  written = "";
  Object.defineProperty(process.stderr, "isTTY", { value: true, configurable: true });
  process.stderr.write = ((chunk: string | Uint8Array) => {
    written += String(chunk);
    return true;
  }) as typeof process.stderr.write;
});
afterEach(() => {
  process.stderr.write = realWrite;
  Object.defineProperty(process.stderr, "isTTY", { value: realTty, configurable: true });
});

const record = { epoch: 1, trainLoss: 0.5, valLoss: 0.4, valMedianNse: 0.1, seconds: 1 } as EpochRecord;

describe("progressHooks on a terminal", () => {
  it("draws a bar that hides the cursor while an epoch runs", () => {
    const hooks = progressHooks(false)(null, {}, 0, 1);
    hooks.onEpochStart?.(1, 10);
    hooks.onBatch?.(1, 1, 10, 0.5);
    expect(written).toContain(HIDE_CURSOR);
    hooks.onEpochEnd?.(record, true);
  });

  it("after stopAll, the next epoch draws nothing and leaves the cursor alone", () => {
    const factory = progressHooks(false);
    const hooks = factory(null, {}, 0, 1);
    hooks.onEpochStart?.(1, 10);
    factory.stopAll();
    written = "";
    hooks.onEpochEnd?.(record, false);
    hooks.onEpochStart?.(2, 10);
    hooks.onBatch?.(2, 1, 10, 0.5);
    hooks.onEpochEnd?.({ ...record, epoch: 2 }, false);
    factory(null, {}, 1, 2).onEpochStart?.(1, 10); // a next member's bar too
    expect(written).toBe("");
  });
});
