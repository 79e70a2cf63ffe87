// The CLI as a working scientist meets it: wrong numbers refused naming the flag, required options and defaults (in
// units) in the help, $PORT documented, a port in use as one line with what to do, `soilco2-export --help` under its
// own name, the reference output pasted as-is into /v1/predict.
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { freshCliBundle } from "../bin/cli-bundle.js";
import { buildCli } from "../cli/build-cli.ts";
import { REPO_ROOT } from "./helpers/cosore-path.ts";
import { spawnServe } from "./helpers/spawn-serve.ts";

const cli = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, [join(REPO_ROOT, "bin/soilco2.js"), ...args], {
    encoding: "utf8",
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
  });

describe("numbers on the command line", () => {
  const dir = mkdtempSync(join(tmpdir(), "soilco2-cli-"));
  it.each([
    [["train", "--data", dir, "--epochs", "abc"], "--epochs <n>", "abc"],
    [["train", "--data", dir, "--epochs", "0"], "--epochs <n>", "0"],
    [["train", "--data", dir, "--members", "2.5"], "--members <n>", "2.5"],
    [["serve", "--port", "70000"], "--port <n>", "70000"],
    [["serve", "--max-body", "lots"], "--max-body <size>", "lots"],
    [["evaluate", "runs/x", "--min-days", "-1"], "--min-days <n>", "-1"],
  ])("%j is refused naming the flag, before anything starts", (args, flag, value) => {
    const r = cli(args);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`error: option '${flag}' argument '${value}' is invalid`);
    expect(r.stderr.split("\n").filter(Boolean).length).toBeLessThanOrEqual(2);
  });

  it("train without --data says which option is missing", () => {
    const r = cli(["train"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("error: required option '--data <dir>' not specified");
  });
});

describe("help", () => {
  it("shows defaults in units, the required options and $PORT", () => {
    const flat = (t: string) => t.replace(/\s+/g, " ");
    const serve = flat(cli(["serve", "--help"], { PORT: "" }).stdout);
    expect(serve).toMatch(/\$PORT/);
    expect(serve).toContain("(default: 16 MiB)");
    expect(serve).toContain("(default: 30000 ms)");
    expect(serve).toContain("(default: the models/ folder shipped with soilco2)");
    expect(serve).not.toContain(REPO_ROOT);
    expect(serve).toContain("(default: $PORT, else 8080)");
    const train = flat(cli(["train", "--help"]).stdout);
    expect(train).toContain("(default: 60 epochs)");
    expect(train).toContain("--data <dir> ingest output directory (sets data.dir); required unless");
    expect(flat(cli(["export", "--help"]).stdout)).toContain("--out <dir> model directory to write");
  });

  it("soilco2-export --help is the export command under its own name", () => {
    const r = spawnSync(process.execPath, [join(REPO_ROOT, "bin/soilco2-export.js"), "--help"], {
      encoding: "utf8",
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Usage: soilco2-export \[options\] <run>/);
  });

  it("serve reads $PORT", () => {
    expect(cli(["serve", "--help"], { PORT: "9123" }).stdout.replace(/\s+/g, " ")).toContain(
      "(default: $PORT = 9123)",
    );
    const r = cli(["serve"], { PORT: "http" });
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe(
      "soilco2: $PORT=http is not a port number (set PORT to 0-65535 or pass --port <n>)",
    );
  });
});

describe("start-up errors", () => {
  it("a port in use is one line saying what to do, and the process exits", async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", () => r()));
    const port = (blocker.address() as { port: number }).port;
    try {
      const child = spawn(
        process.execPath,
        [join(REPO_ROOT, "bin/soilco2.js"), "serve", "--port", String(port)],
        {
          cwd: REPO_ROOT,
        },
      );
      let err = "";
      child.stderr.on("data", (b) => (err += b));
      const code = await new Promise((r) => child.once("exit", r));
      expect(code).toBe(1);
      expect(err.trim()).toBe(
        `soilco2: port ${port} on 127.0.0.1 is already in use (stop the other server, or pick a free port: --port <n> (or PORT=<n>; --port 0 takes any free one))`,
      );
    } finally {
      blocker.close();
    }
  }, 60_000);
});

describe("soilco2 reference into /v1/predict", () => {
  it("refuses a file of several sites without --site, reads NA as a gap, and its answer pastes into static", async () => {
    const dir = mkdtempSync(join(tmpdir(), "soilco2-ref-"));
    const days = Array.from({ length: 120 }, (_, d) => {
      const date = new Date(Date.UTC(2021, 3, 1 + d)).toISOString().slice(0, 10);
      const t = 12 + 6 * Math.sin(d / 20);
      const w = 0.2 + 0.05 * Math.sin(d / 7);
      return `a,${date},${d % 10 === 3 ? "NA" : (2 * 2 ** ((t - 12) / 10) * Math.exp(-20 * (w - 0.2) ** 2)).toFixed(3)},${t.toFixed(2)},${d % 13 === 0 ? "" : w.toFixed(3)}`;
    });
    const csv = join(dir, "days.csv");
    writeFileSync(
      csv,
      ["site,date,flux_mean,tsoil_mean,swc_mean", ...days, "b,2021-04-01,5,10,0.3"].join("\n"),
    );
    const pooled = cli(["reference", csv]);
    expect(pooled.status).toBe(1);
    expect(pooled.stderr).toMatch(/holds several sites \(a, b\).*--site <id>/);
    const r = cli(["reference", csv, "--site", "a"]);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { reference: Record<string, number | null>; days: { flux: number } };
    expect(out.days.flux).toBe(108); // 12 NA days are gaps
    expect(out.reference.flux_swc_c1).not.toBeNull(); // the moisture statistics are computed...
    const server = await spawnServe();
    try {
      const example = (await (await fetch(`${server.url}/openapi.json`)).json()) as {
        paths: Record<
          string,
          { post: { requestBody: { content: Record<string, { example: { sites: { static: object }[] } }> } } }
        >;
      };
      const body = example.paths["/v1/predict"]!.post.requestBody.content["application/json"]!.example;
      // ...and accepted as-is by the shipped model, which does not use them
      body.sites[0]!.static = { ...body.sites[0]!.static, ...out.reference };
      const res = await fetch(`${server.url}/v1/predict`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      expect(res.status, await res.clone().text()).toBe(200);
    } finally {
      await server.stop();
    }
  }, 120_000);
});

describe("start-up", () => {
  beforeAll(async () => {
    await buildCli(); // what `npm ci` does (prepare): the test runs on a current bundle even after an edit
  }, 60_000);
  const traced = (args: string[], env: NodeJS.ProcessEnv = {}) => {
    const trace = join(mkdtempSync(join(tmpdir(), "soilco2-trace-")), "imports.txt");
    writeFileSync(trace, "");
    const r = spawnSync(
      process.execPath,
      [
        "--import",
        join(REPO_ROOT, "test/helpers/trace-imports.mjs"),
        join(REPO_ROOT, "bin/soilco2.js"),
        ...args,
      ],
      { encoding: "utf8", cwd: REPO_ROOT, env: { ...process.env, ...env, SOILCO2_TRACE_IMPORTS: trace } },
    );
    return { ...r, loaded: readFileSync(trace, "utf8") };
  };
  it.each(["--help", "score --help", "calibrate --help", "interval --help", "serve --help"])(
    "`soilco2 %s` runs the prebuilt front end: no TypeScript loader, none of the heavy modules",
    (command) => {
      const r = traced(command.split(" "));
      expect(r.status).toBe(0);
      expect(r.stdout).toContain("Usage: soilco2");
      expect(r.loaded).toContain("/dist/cli.js"); // the trace sees the CLI's own modules
      for (const heavy of [
        "tsx",
        "@duckdb",
        "@tensorflow",
        "onnxruntime",
        "ml-matrix",
        "ml-levenberg-marquardt",
      ])
        expect(r.loaded).not.toContain(`/node_modules/${heavy}/`);
    },
  );
  it("from the sources (no bundle) --help still loads none of the heavy modules", () => {
    const r = traced(["--help"], { SOILCO2_NO_CLI_BUNDLE: "1" });
    expect(r.status).toBe(0);
    expect(r.loaded).toContain("/cli/main.ts");
    for (const heavy of ["@duckdb", "@tensorflow", "onnxruntime", "ml-matrix"])
      expect(r.loaded).not.toContain(`/node_modules/${heavy}/`);
  });
  it("a command's work loads through the TypeScript loader, and its errors are still one line", () => {
    const r = traced(["interval", "/nonexistent-model", "--data", "/nonexistent-data"]);
    expect(r.status).toBe(1);
    expect(r.loaded).toContain("/node_modules/tsx/");
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/^soilco2: \/nonexistent-model\/manifest.json: missing or not JSON/);
  });
});

describe("the bundle's freshness", () => {
  it("is current when built after every source it lists, stale once one is newer or missing", () => {
    const root = mkdtempSync(join(tmpdir(), "soilco2-bundle-"));
    mkdirSync(join(root, "dist"));
    mkdirSync(join(root, "cli"));
    writeFileSync(join(root, "cli/a.ts"), "");
    const past = new Date(Date.now() - 60_000);
    utimesSync(join(root, "cli/a.ts"), past, past);
    writeFileSync(join(root, "dist/cli.meta.json"), JSON.stringify({ inputs: ["cli/a.ts"] }));
    writeFileSync(join(root, "dist/cli.js"), "");
    expect(freshCliBundle(root)).toBe(true);
    writeFileSync(join(root, "cli/a.ts"), "// edited");
    const future = new Date(Date.now() + 60_000);
    utimesSync(join(root, "cli/a.ts"), future, future);
    expect(freshCliBundle(root)).toBe(false);
    writeFileSync(join(root, "dist/cli.meta.json"), JSON.stringify({ inputs: ["cli/gone.ts"] }));
    expect(freshCliBundle(root)).toBe(false);
  });
});
