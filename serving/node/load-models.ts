/** Load every model version under a model root (`<root>/<name>/<version>/`, or `<root>` itself) into one session each. */
import { readdir, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import type * as ortCommon from "onnxruntime-common";
import * as ortNode from "onnxruntime-node";
import { ArtefactError } from "../../core/errors.ts";
import { staticWidth } from "../../core/model-schema.ts";
import type { OrtPredictor } from "../../export/ort-predict.ts";
import { readModelDir } from "../../export/read-model.ts";
import type { ServingMetrics } from "../metrics.ts";
import { createModelRegistry, type ModelEntry, type ModelRegistry } from "../registry.ts";
import { createProviderSession, type NodeOrt, type ProviderChoice } from "./execution-provider.ts";
import { createWorkerPredictor } from "./worker-predictor.ts";

/** Options of {@link loadModels}. */
export interface LoadModelsOptions {
  /** Execution provider choice (default `auto`). */
  provider?: ProviderChoice;
  /** onnxruntime intra-op threads (default: onnxruntime's own, one per core). */
  threads?: number;
  /** The default model name (default `soilco2-lstm` when present). */
  defaultModel?: string;
  metrics?: ServingMetrics;
  log?: (line: string) => void;
  /**
   * Where sessions run: `worker` (default), one worker thread per model version, so inference never blocks HTTP;
   * `main`, on the calling thread (onnxruntime-node only).
   */
  thread?: "worker" | "main";
}

/** Loaded models: the registry the app serves from, and a way to release the sessions. */
export interface LoadedModels {
  registry: ModelRegistry;
  entries: ModelEntry[];
  release(): Promise<void>;
}

const HOW_TO_EXPORT =
  "export a run with `soilco2 export <run dir> --out models/soilco2-lstm/<version>`, or pass --models <dir>";

async function isDir(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
}

async function hasManifest(dir: string): Promise<boolean> {
  return (await stat(join(dir, "manifest.json")).catch(() => undefined))?.isFile() ?? false;
}

async function subdirs(dir: string): Promise<string[]> {
  const names = await readdir(dir);
  const out: string[] = [];
  for (const n of names.sort()) if (!n.startsWith(".") && (await isDir(join(dir, n)))) out.push(join(dir, n));
  return out;
}

/**
 * Model directories under `root`: `root` itself when it holds manifest.json, else every `<root>/<name>/<version>/`
 * (and `<root>/<name>/` holding a manifest directly). Hidden entries (export's temporary dirs) are skipped.
 * @throws {ArtefactError} naming `root` when it is missing or holds no model
 */
export async function findModelDirs(root: string): Promise<string[]> {
  const abs = resolve(root);
  if (!(await isDir(abs))) throw new ArtefactError(abs, "model directory not found", HOW_TO_EXPORT);
  if (await hasManifest(abs)) return [abs];
  const dirs: string[] = [];
  for (const name of await subdirs(abs)) {
    if (await hasManifest(name)) dirs.push(name);
    else for (const version of await subdirs(name)) if (await hasManifest(version)) dirs.push(version);
  }
  if (dirs.length === 0)
    throw new ArtefactError(abs, "holds no model (no <name>/<version>/manifest.json)", HOW_TO_EXPORT);
  return dirs;
}

/**
 * Read, check and open every model under `root`: one onnxruntime-node session per version, on the provider
 * chosen at start, warmed up with one small run before it is marked ready.
 * @example const { registry, release } = await loadModels("models", { provider: "auto" });
 */
export async function loadModels(root: string, opts: LoadModelsOptions = {}): Promise<LoadedModels> {
  const log = opts.log ?? (() => {});
  const sessionOptions: ortCommon.InferenceSession.SessionOptions = opts.threads
    ? { intraOpNumThreads: opts.threads, interOpNumThreads: 1 }
    : {};
  const entries: ModelEntry[] = [];
  const predictors: OrtPredictor[] = [];
  const release = async () => {
    for (const p of predictors.splice(0)) await p.release();
  };
  try {
    for (const dir of await findModelDirs(root)) {
      const model = await readModelDir(dir);
      const { name, version } = model.manifest;
      opts.metrics?.modelState(name, version, "loading");
      const t0 = performance.now();
      const choice = opts.provider ?? "auto";
      const session = await (opts.thread === "main"
        ? createProviderSession(ortNode as unknown as NodeOrt, model.modelBytes, choice, sessionOptions)
        : createWorkerPredictor(model.modelBytes, choice, sessionOptions)
      ).catch((err: unknown) => {
        opts.metrics?.modelState(name, version, "failed");
        throw err;
      });
      predictors.push(session.predictor);
      const Dd = model.schema.dynamic.length;
      const Ds = staticWidth(model.schema);
      await session.predictor.predict({
        dynamic: new Float32Array(8 * Dd),
        static: new Float32Array(Ds),
        batch: 1,
        time: 8,
        dynamicCols: Dd,
        staticCols: Ds,
      });
      entries.push({
        name,
        version,
        schema: model.schema,
        manifest: model.manifest,
        sha256: model.sha256,
        predictor: session.predictor,
        ready: true,
        executionProvider: session.provider,
      });
      opts.metrics?.modelState(name, version, "ready", session.provider);
      log(
        `loaded ${name} ${version} from ${dir} on ${session.provider} (${session.reason}) in ${(performance.now() - t0).toFixed(0)} ms`,
      );
    }
    const registry = createModelRegistry(
      entries,
      opts.defaultModel ? { defaultModel: opts.defaultModel } : {},
    );
    return { registry, entries, release };
  } catch (err) {
    await release();
    throw err;
  }
}
