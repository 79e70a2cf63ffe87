// `soilco2 train` on a terminal as a user runs it (a pseudo-terminal from util-linux `script`): Ctrl-C gives the
// terminal back (cursor shown, wrapping on) and prints the resume command; a start that fails leaves no run
// directory; evaluate and export warn about the unfinished run; exporting a site-cv run says why it cannot be.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RESTORE_TERMINAL } from "../cli/train-interrupt.ts";
import { cosorePath, REPO_ROOT } from "../ingest/cosore-path.ts";
import { runIngest } from "../ingest/run-ingest.ts";

const BIN = join(REPO_ROOT, "bin/soilco2.js");
const tmp = mkdtempSync(join(tmpdir(), "soilco2-lifecycle-"));
const data = join(tmp, "daily");
const run = join(tmp, "run");

const cli = (args: string[]) =>
  spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", cwd: REPO_ROOT });

beforeAll(async () => {
  await runIngest({ cosore: cosorePath(), out: data, datasets: ["d20190415_VARNER", "d20200212_KAYE_LNE"] });
  writeFileSync(
    join(tmp, "tiny.json"),
    JSON.stringify({
      data: { dir: data },
      features: { static: ["latitude", "elevation", "flux_ref", "flux_q10", "tsoil_ref"] },
      model: { hidden: 8 },
      train: { epochs: 500, batchSize: 16, windowDays: 90, warmupDays: 20, strideDays: 60, patience: 500 },
    }),
  );
}, 120_000);
afterAll(() => rm(tmp, { recursive: true, force: true }));

describe("soilco2 train on a terminal", () => {
  it("a start that fails leaves no run directory behind", () => {
    const empty = join(tmp, "empty");
    const r = cli(["train", "--data", empty, "--run-dir", join(tmp, "never"), "--quiet"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("daily.parquet: not found");
    expect(existsSync(join(tmp, "never"))).toBe(false);
  });

  it("Ctrl-C restores the terminal and prints the resume command", async () => {
    const cmd = `${process.execPath} ${BIN} train --config ${join(tmp, "tiny.json")} --run-dir ${run} --no-evaluate --backend cpu`;
    const child = spawn("script", ["-qefc", cmd, "/dev/null"], {
      cwd: REPO_ROOT,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (b) => (out += b));
    child.stderr.on("data", (b) => (out += b));
    let done = false;
    const exited = new Promise<number | null>((r) =>
      child.once("exit", (code) => {
        done = true;
        r(code);
      }),
    );
    // wait for a checkpoint, then press Ctrl-C on the terminal
    const t0 = Date.now();
    while (!done && !existsSync(join(run, "checkpoint", "latest.json")) && Date.now() - t0 < 120_000)
      await new Promise((r) => setTimeout(r, 200));
    expect(existsSync(join(run, "checkpoint", "latest.json")), out).toBe(true);
    await new Promise((r) => setTimeout(r, 300)); // into the next epoch's bar
    child.stdin.write("\u0003");
    expect(await exited).toBe(130);
    expect(out).toContain(`resume with: soilco2 train --resume ${run}`);
    expect(out).toContain("\u001b[?25l"); // the bar hid the cursor...
    expect(out.lastIndexOf(RESTORE_TERMINAL)).toBeGreaterThan(out.lastIndexOf("\u001b[?25l")); // ...and it is back
  }, 180_000);

  it("export warns about the unfinished run, and still exports its best weights", () => {
    const r = cli(["export", run, "--out", join(tmp, "model")]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      /warning: .* has not finished training \(stopped at epoch \d+; 500 epochs configured\)/,
    );
    expect(r.stderr).toContain(`soilco2 train --resume ${run}`);
    // training wrote the run's schema, so export publishes it without rebuilding it from today's catalog
    expect(existsSync(join(run, "schema.json"))).toBe(true);
    expect(r.stderr).not.toContain("schema.json");
  }, 120_000);

  it("evaluate warns about the unfinished run before it starts", async () => {
    const child = spawn(process.execPath, [BIN, "evaluate", run], { cwd: REPO_ROOT });
    let err = "";
    child.stderr.on("data", (b) => (err += b));
    const t0 = Date.now();
    while (!/has not finished training/.test(err) && child.exitCode === null && Date.now() - t0 < 60_000)
      await new Promise((r) => setTimeout(r, 100));
    child.kill("SIGKILL");
    expect(err).toMatch(
      /warning: .* has not finished training \(stopped at epoch \d+; 500 epochs configured\)/,
    );
  }, 90_000);

  it("exporting a site-cv run says it has no single model to export", async () => {
    const cv = join(tmp, "cv");
    await mkdir(cv);
    const cfg = JSON.parse(readFileSync(join(run, "config.json"), "utf8"));
    cfg.config.split = { ...cfg.config.split, kind: "site-cv" };
    writeFileSync(join(cv, "config.json"), JSON.stringify(cfg));
    const r = cli(["export", cv, "--out", join(tmp, "cv-model")]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("is a site-cv run");
    expect(r.stderr).toContain("export a temporal-split run");
    expect(r.stderr).not.toContain("normaliser");
  });
});
