// The strict training config (unknown keys are errors, defaults, overrides) and the train/evaluate CLI surface.
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../core/errors.ts";
import { REPO_ROOT } from "../ingest/cosore-path.ts";
import { applyOverrides, parseTrainConfig } from "../training/config.ts";
import { RETIRED_OPTIONS } from "../training/retired-options.ts";

describe("training config", () => {
  it("fills defaults and needs only data.dir", () => {
    const c = parseTrainConfig({ data: { dir: "out/daily" } });
    expect(c.split.kind).toBe("temporal");
    expect(c.split.testFraction).toBe(0.3);
    expect(c.train.seed).toBe(42);
    expect(c.features.dynamic[0]).toBe("tsoil_mean");
  });
  it("rejects an unknown key, naming it", () => {
    expect(() => parseTrainConfig({ data: { dir: "x" }, train: { epoch: 3 } })).toThrow(ConfigError);
    expect(() => parseTrainConfig({ data: { dir: "x" }, train: { epoch: 3 } })).toThrow(/train/);
  });
  it("rejects a missing data.dir and inconsistent windows", () => {
    expect(() => parseTrainConfig({})).toThrow(/data/);
    expect(() => parseTrainConfig({ data: { dir: "x" }, train: { windowDays: 50, warmupDays: 60 } })).toThrow(
      /warmupDays/,
    );
  });
  it("checks that the output head's prior has its inputs among the features", () => {
    expect(() => parseTrainConfig({ data: { dir: "x" }, features: { static: ["latitude"] } })).toThrow(
      /needs flux_ref among features\.static/,
    );
    expect(() => parseTrainConfig({ data: { dir: "x" }, features: { dynamic: ["swc_mean"] } })).toThrow(
      /needs tsoil_mean among features\.dynamic/,
    );
  });
  it.each(["model.head", "train.loss", "train.ema", "train.driverDropout"])(
    "refuses the removed option %s, even with the value kept, saying it was removed",
    (path) => {
      const [block, key] = path.split(".") as [string, string];
      const config = { data: { dir: "x" }, [block]: { [key]: RETIRED_OPTIONS[path] } };
      expect(() => parseTrainConfig(config)).toThrow(
        `${path} was removed (tried and not adopted, docs/training.md): delete the key`,
      );
    },
  );
  it("applies key.path=value overrides, parsing JSON values", () => {
    const o = applyOverrides({ data: { dir: "a" } }, [
      "train.epochs=5",
      'features.static=["latitude"]',
      "data.dir=b",
    ]);
    expect(o).toEqual({ data: { dir: "b" }, train: { epochs: 5 }, features: { static: ["latitude"] } });
    expect(() => applyOverrides({}, ["nonsense"])).toThrow(ConfigError);
  });
});

describe("CLI", () => {
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, [join(REPO_ROOT, "bin/soilco2.js"), ...args], {
      encoding: "utf8",
      cwd: REPO_ROOT,
    });

  it("documents train and evaluate", () => {
    const r = cli("train", "--help");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("--resume");
    expect(cli("evaluate", "--help").stdout).toContain("<run dir>");
  });
  it("exits 1 with the offending key for an unknown config key", () => {
    const r = cli(
      "train",
      "--data",
      "nowhere",
      "--set",
      "train.epoch=3",
      "--run-dir",
      join(mkdtempSync(join(tmpdir(), "s-")), "r"),
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/invalid training config: train: Unrecognized key.*epoch/);
  });
  it("exits 1 saying so for a removed option", () => {
    const dir = mkdtempSync(join(tmpdir(), "s-"));
    const r = cli(
      "train",
      "--data",
      dir,
      "--set",
      "train.ema=0.99",
      "--run-dir",
      join(dir, "run"),
      "--quiet",
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(
      "train.ema was removed (tried and not adopted, docs/training.md): delete the key",
    );
  });
  it("--members sets train.members and is range-checked like the config key, naming the flag", () => {
    expect(cli("train", "--help").stdout).toContain("--members");
    const dir = mkdtempSync(join(tmpdir(), "s-"));
    const r = cli("train", "--data", dir, "--members", "0", "--run-dir", join(dir, "run"), "--quiet");
    expect(r.status).toBe(1);
    // the CLI checks the flag itself, with train.members's range (1..10), naming the flag
    expect(r.stderr).toContain(
      "error: option '--members <n>' argument '0' is invalid. must be an integer from 1 to 10",
    );
  });
  it("--workers is listed, and a wrong value is refused naming the flag", () => {
    expect(cli("train", "--help").stdout).toContain("--workers");
    const dir = mkdtempSync(join(tmpdir(), "s-"));
    const r = cli("train", "--data", dir, "--workers", "0", "--run-dir", join(dir, "run"), "--quiet");
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/--workers/);
  });
  it("exits 1 naming the missing file when the data directory has no daily dataset", () => {
    const dir = mkdtempSync(join(tmpdir(), "s-"));
    const r = cli("train", "--data", dir, "--run-dir", join(dir, "run"), "--quiet");
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("daily.parquet: not found");
  });
});
