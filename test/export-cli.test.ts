// The export command as users run it: `node bin/soilco2.js export ...` and `node bin/soilco2-export.js ...`.
import { execFile } from "node:child_process";
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readModelDir } from "../model/node/read-model.ts";
import { writeSyntheticRun } from "../training/synthetic-run.ts";

const repo = fileURLToPath(new URL("..", import.meta.url));
const root = await mkdtemp(join(tmpdir(), "soilco2-cli-"));
afterAll(() => rm(root, { recursive: true, force: true }));
const runDir = join(root, "run");

/** Run a bin script; resolves with its exit code and output, never rejects on a non-zero exit. */
async function run(bin: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)("node", [join(repo, "bin", bin), ...args], {
      cwd: repo,
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

beforeAll(() => writeSyntheticRun(runDir, { hidden: 8 }));

describe("soilco2 export", () => {
  it("writes a readable model directory and prints files, sizes, sha256 and time", async () => {
    const out = join(root, "model-a");
    const r = await run("soilco2.js", [
      "export",
      runDir,
      "--out",
      out,
      "--name",
      "test-model",
      "--version",
      "2.0.0",
    ]);
    expect(r.code, r.stderr).toBe(0);
    const d = await readModelDir(out);
    expect(r.stdout).toContain(`sha256 ${d.sha256}`);
    expect(r.stdout).toMatch(/model\.onnx\s+[\d.]+ kB/);
    expect(r.stdout).toMatch(/done in [\d.]+ s/);
    expect(d.manifest.name).toBe("test-model");
    expect(d.manifest.version).toBe("2.0.0");
  });

  it("refuses an existing non-empty --out without --force (exit 1, hint names --force)", async () => {
    const out = join(root, "model-a");
    const r = await run("soilco2.js", ["export", runDir, "--out", out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/exists and is not empty.*--force/);
    expect((await run("soilco2.js", ["export", runDir, "--out", out, "--force"])).code).toBe(0);
  });

  it("refuses a run directory without its normaliser and creates nothing", async () => {
    const out = join(root, "model-none");
    const r = await run("soilco2.js", ["export", join(root, "no-such-run"), "--out", out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/soilco2: .*config.json/);
    await expect(readdir(out)).rejects.toThrow(/ENOENT/);
  });
});

describe("soilco2 export of runs made before options were removed", () => {
  /** A copy of the synthetic run whose config.json and model.json are edited as given. */
  async function oldRun(
    name: string,
    edit: {
      config?: (c: Record<string, Record<string, unknown>>) => void;
      arch?: (a: Record<string, unknown>) => void;
    },
  ): Promise<string> {
    const dir = join(root, name);
    await cp(runDir, dir, { recursive: true });
    const configFile = join(dir, "config.json");
    const run = JSON.parse(await readFile(configFile, "utf8"));
    edit.config?.(run.config);
    await writeFile(configFile, JSON.stringify(run));
    const modelFile = join(dir, "model", "model.json");
    const model = JSON.parse(await readFile(modelFile, "utf8"));
    edit.arch?.(model.architecture);
    await writeFile(modelFile, JSON.stringify(model));
    return dir;
  }

  it("exports a run whose config.json names a removed option with the value kept (as every earlier run does)", async () => {
    const dir = await oldRun("run-old", {
      config: (c) => {
        c.model!.head = "prior";
        c.train!.ema = 0;
        c.train!.loss = "nse";
        c.train!.driverDropout = 0;
      },
    });
    const r = await run("soilco2.js", ["export", dir, "--out", join(root, "model-old")]);
    expect(r.code, r.stderr).toBe(0);
  });

  it("refuses a run trained with a removed option, naming it", async () => {
    const dir = await oldRun("run-q10", {
      config: (c) => {
        c.model!.head = "q10";
      },
    });
    const r = await run("soilco2.js", ["export", dir, "--out", join(root, "model-q10")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/config\.json: the run was trained with model\.head = "q10", an option removed/);
  });

  it("refuses weights of a removed head or of the prior's removed moisture factor, naming them", async () => {
    const softplus = await oldRun("run-softplus", {
      arch: (a) => {
        delete a.head;
      },
    });
    const r = await run("soilco2.js", ["export", softplus, "--out", join(root, "model-softplus")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/model\.json: the network has the "softplus" output head, removed from soilco2/);
    const moisture = await oldRun("run-moisture", {
      arch: (a) => {
        (a.prior as Record<string, unknown>).moisture = {};
      },
    });
    const m = await run("soilco2.js", ["export", moisture, "--out", join(root, "model-moisture")]);
    expect(m.code).toBe(1);
    expect(m.stderr).toMatch(/the network has the prior's moisture factor, removed from soilco2/);
  });
});

describe("soilco2 export publishes the schema the run was trained with", () => {
  it("takes the run's schema.json (a catalog edit after training changes nothing), warns for a run without one, and refuses a corrupt one", async () => {
    // a run whose schema.json differs from what today's catalog would give: as after an edit of core/features.ts
    const edited = join(root, "run-schema-edited");
    await cp(runDir, edited, { recursive: true });
    const schemaFile = join(edited, "schema.json");
    const schema = JSON.parse(await readFile(schemaFile, "utf8"));
    const tsoil = schema.dynamic.find((f: { name: string }) => f.name === "tsoil_mean");
    tsoil.description = "soil temperature as the run knew it";
    await writeFile(schemaFile, JSON.stringify(schema));
    let r = await run("soilco2.js", ["export", edited, "--out", join(root, "model-schema-edited")]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/schema\.json/);
    const published = await readModelDir(join(root, "model-schema-edited"));
    expect(published.schema.dynamic.find((f) => f.name === "tsoil_mean")!.description).toBe(
      "soil temperature as the run knew it",
    );

    const old = join(root, "run-no-schema");
    await cp(runDir, old, { recursive: true });
    await rm(join(old, "schema.json"));
    r = await run("soilco2.js", ["export", old, "--out", join(root, "model-no-schema")]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      /warning: .*run-no-schema has no schema\.json .*rebuilt from today's feature catalog/,
    );
    expect((await readModelDir(join(root, "model-no-schema"))).schema).toEqual(
      (await readModelDir(join(root, "model-a"))).schema,
    );

    const corrupt = join(root, "run-schema-corrupt");
    await cp(runDir, corrupt, { recursive: true });
    await writeFile(join(corrupt, "schema.json"), JSON.stringify({ dynamic: "nope" }));
    r = await run("soilco2.js", ["export", corrupt, "--out", join(root, "model-schema-corrupt")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/schema\.json.*is not a model schema/);
    expect(await readdir(root)).not.toContain("model-schema-corrupt");
  });
});

describe("soilco2-export", () => {
  it("runs the export command alone", async () => {
    const out = join(root, "model-b");
    const r = await run("soilco2-export.js", [runDir, "--out", out]);
    expect(r.code, r.stderr).toBe(0);
    expect((await readModelDir(out)).manifest.name).toBe("soilco2-lstm");
  });

  it("prints usage for a missing --out", async () => {
    const r = await run("soilco2-export.js", [runDir]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/--out/);
  });
});
