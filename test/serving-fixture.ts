// Test helper for the serving suites: a synthetic run exported into a temporary model root, loaded into an app.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exportRun } from "../export/export-run.ts";
import { type AppOptions, createApp } from "../serving/app.ts";
import type { ServingApp } from "../serving/context.ts";
import type { ServingMetrics } from "../serving/metrics.ts";
import { type LoadedModels, loadModels } from "../serving/node/load-models.ts";
import { createPromMetrics } from "../serving/node/prom-metrics.ts";
import { writeSyntheticRun } from "../training/synthetic-run.ts";

/** A temporary model root `<root>/models/<name>/<version>/` built from one synthetic run. */
export interface ServingFixture {
  root: string;
  runDir: string;
  modelsDir: string;
  /** Model directory of each version, in the order given. */
  modelDirs: string[];
  cleanup(): Promise<void>;
}

/**
 * Write a synthetic run (seeded, untrained) and export it as `soilco2-lstm` under each version.
 * @example const fx = await makeModelRoot({ hidden: 16, versions: ["1.0.0", "1.1.0"] });
 */
export async function makeModelRoot(
  opts: { hidden?: number; seed?: number; name?: string; versions?: string[] } = {},
): Promise<ServingFixture> {
  const root = await mkdtemp(join(tmpdir(), "soilco2-serving-"));
  const runDir = join(root, "run");
  await writeSyntheticRun(runDir, { hidden: opts.hidden ?? 16, seed: opts.seed ?? 5 });
  const modelsDir = join(root, "models");
  const name = opts.name ?? "soilco2-lstm";
  const modelDirs: string[] = [];
  for (const version of opts.versions ?? ["1.0.0"]) {
    const outDir = join(modelsDir, name, version);
    await exportRun({ runDir, outDir, name, version });
    modelDirs.push(outDir);
  }
  return { root, runDir, modelsDir, modelDirs, cleanup: () => rm(root, { recursive: true, force: true }) };
}

/** An in-process app over a loaded model root, with prom-client metrics. */
export async function makeApp(
  modelsDir: string,
  options: Omit<AppOptions, "registry"> = {},
): Promise<{ app: ServingApp; models: LoadedModels; metrics: ServingMetrics }> {
  const metrics = options.metrics ?? createPromMetrics({ defaultMetrics: false });
  const models = await loadModels(modelsDir, { provider: "cpu", threads: 1, metrics });
  return { app: createApp({ ...options, registry: models.registry, metrics }), models, metrics };
}

/** POST JSON to an in-process app. */
export function postJson(app: ServingApp, path: string, body: unknown, headers: Record<string, string> = {}) {
  return app.request(path, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

/** A valid `/v1/predict` site of `days` consecutive days with simple seasonal drivers. */
export function demoSite(days: number, opts: { id?: string; start?: string; gapEvery?: number } = {}) {
  const series = (f: (d: number) => number) =>
    Array.from({ length: days }, (_, d) => (opts.gapEvery && d % opts.gapEvery === 3 ? null : f(d)));
  return {
    ...(opts.id ? { id: opts.id } : {}),
    static: { latitude: 47.5, elevation: 420, mat: 9.1, map: 980, igbp: "DBF" },
    start: opts.start ?? "2019-01-01",
    drivers: {
      tsoil_mean: series((d) => 10 + 8 * Math.sin((2 * Math.PI * d) / 365)),
      tsoil_min: series((d) => 8 + 8 * Math.sin((2 * Math.PI * d) / 365)),
      tsoil_max: series((d) => 12 + 8 * Math.sin((2 * Math.PI * d) / 365)),
      swc_mean: series((d) => 0.25 + 0.05 * Math.cos((2 * Math.PI * d) / 365)),
      tair_mean: series((d) => 11 + 10 * Math.sin((2 * Math.PI * d) / 365)),
      precip_sum: series((d) => (d % 5 === 0 ? 6 : 0)),
    },
  };
}
