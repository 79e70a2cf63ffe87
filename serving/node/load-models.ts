/**
 * Load every model version under a model root, each on its own: a version that cannot load (no manifest, a bad
 * file, an onnxruntime graph error, golden sets that do not match) is logged with its path and reported not ready,
 * while the others serve.
 */
import type * as ortCommon from "onnxruntime-common";
import * as ortNode from "onnxruntime-node";
import { ArtefactError } from "../../core/errors.ts";
import { staticWidth } from "../../core/model-schema.ts";
import { compareVersions } from "../../model/model-name.ts";
import { findVersionDirs, HOW_TO_EXPORT, type VersionDir } from "../../model/node/model-dirs.ts";
import { type ModelDir, readModelDir } from "../../model/node/read-model.ts";
import { DEFAULT_POOL } from "../default-limits.ts";
import type { ServingMetrics } from "../metrics.ts";
import {
  createModelRegistry,
  type ModelEntry,
  type ModelRegistry,
  type VersionFailure,
} from "../registry.ts";
import { createProviderSession, type NodeOrt, type ProviderChoice } from "./execution-provider.ts";
import { readCheckedGoldenSets, runGoldenSets } from "./golden-check.ts";
import { createWorkerPool, type PoolHealth } from "./worker-pool.ts";

export { DEFAULT_POOL };

/** Options of {@link loadModels}. */
export interface LoadModelsOptions {
  /** Execution provider choice (default `auto`). */
  provider?: ProviderChoice;
  /** onnxruntime intra-op threads per session (default {@link DEFAULT_POOL}). */
  threads?: number;
  /** Worker sessions per model version (default {@link DEFAULT_POOL}; only with `thread: "worker"`). */
  sessions?: number;
  /** The default model name (default: `defaultModelName` of the loaded names, model/model-name.ts). */
  defaultModel?: string;
  metrics?: ServingMetrics;
  log?: (line: string) => void;
  /**
   * Where sessions run: `worker` (default), supervised worker threads, so inference never blocks HTTP and a dead
   * thread is restarted; `main`, on the calling thread (onnxruntime-node only).
   */
  thread?: "worker" | "main";
}

/** Loaded models: the registry the app serves from, the versions that failed, and a way to release the sessions. */
export interface LoadedModels {
  registry: ModelRegistry;
  entries: ModelEntry[];
  failures: VersionFailure[];
  /** Each loaded entry's worker health (absent with `thread: "main"`), in `entries` order. */
  health: (PoolHealth | undefined)[];
  release(): Promise<void>;
}

const oneLine = (err: unknown) => (err instanceof Error ? err.message : String(err)).split("\n")[0]!;

/** Two directories that claim one model version: a start-up error naming both. */
function checkDuplicates(read: { ref: VersionDir; model: ModelDir; version: string }[]): void {
  const seen = new Map<string, string>();
  for (const r of read) {
    const key = `${r.model.manifest.name}\u0000${r.version}`;
    const other = seen.get(key);
    if (other)
      throw new ArtefactError(
        r.ref.dir,
        `is model ${r.model.manifest.name} version ${r.version}, like ${other}`,
        "keep one of the two directories, or give one a new version number",
      );
    seen.set(key, r.ref.dir);
  }
}

/**
 * The onnxruntime-node options of every serving and batch session: `threads` intra-op threads that sleep when idle
 * (`session.intra_op.allow_spinning` 0) instead of spinning, so that between runs they leave the cores to the HTTP
 * thread; with two threads and spinning, JSON throughput at 64 connections fell by a quarter (docs/serving.md).
 */
export function sessionOptionsFor(threads: number): ortCommon.InferenceSession.SessionOptions {
  return {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    extra: { session: { intra_op: { allow_spinning: "0" } } },
  };
}

/**
 * Read, check and open every model version under `root`: a pool of onnxruntime-node sessions per version on the
 * provider chosen at start, each verified with the version's golden sets before it is marked ready.
 * @throws {ArtefactError} when the root is missing or holds no model, when two directories are one version, or
 * when no version could be loaded (naming each directory and why)
 * @example const { registry, failures, release } = await loadModels("models", { provider: "auto" });
 */
export async function loadModels(root: string, opts: LoadModelsOptions = {}): Promise<LoadedModels> {
  const log = opts.log ?? (() => {});
  const threads = opts.threads ?? DEFAULT_POOL.threads;
  const sessionOptions = sessionOptionsFor(threads);
  const refs = await findVersionDirs(root);
  const failures: VersionFailure[] = [];
  const fail = (f: VersionFailure) => {
    failures.push(f);
    opts.metrics?.modelState(f.name, f.version, "failed");
    log(`warning: model ${f.name} version ${f.version} in ${f.dir} does not serve: ${f.reason}`);
  };

  const read: { ref: VersionDir; model: ModelDir; version: string }[] = [];
  for (const ref of refs) {
    if (!ref.hasManifest) {
      fail({
        name: ref.model ?? "unknown",
        version: ref.version ?? "unknown",
        dir: ref.dir,
        reason: "no manifest.json: not a model directory written by `soilco2 export`",
      });
      continue;
    }
    try {
      const model = await readModelDir(ref.dir);
      read.push({ ref, model, version: ref.version ?? model.manifest.version });
    } catch (err) {
      fail({
        name: ref.model ?? "unknown",
        version: ref.version ?? "unknown",
        dir: ref.dir,
        reason: oneLine(err),
      });
    }
  }
  checkDuplicates(read);

  const entries: ModelEntry[] = [];
  const health: (PoolHealth | undefined)[] = [];
  const releases: (() => Promise<void>)[] = [];
  const release = async () => {
    for (const r of releases.splice(0)) await r();
  };
  for (const { ref, model, version } of read) {
    const { name } = model.manifest;
    const dir = ref.dir;
    opts.metrics?.modelState(name, version, "loading");
    const t0 = performance.now();
    try {
      const golden = await readCheckedGoldenSets(dir, model.manifest);
      const checked: string[] = [];
      const verify = async (p: { predict: ModelEntry["predictor"]["predict"] }) => {
        const Dd = model.schema.dynamic.length;
        const Ds = staticWidth(model.schema);
        await p.predict({
          dynamic: new Float32Array(8 * Dd),
          static: new Float32Array(Ds),
          batch: 1,
          time: 8,
          dynamicCols: Dd,
          staticCols: Ds,
        });
        checked.splice(0, checked.length, ...(await runGoldenSets(dir, model.manifest, golden, p)));
      };
      const choice = opts.provider ?? "auto";
      const opened = await (opts.thread === "main"
        ? createProviderSession(ortNode as unknown as NodeOrt, model.modelBytes, choice, sessionOptions).then(
            async (s) => {
              await verify(s.predictor).catch(async (err: unknown) => {
                await s.predictor.release();
                throw err;
              });
              return { ...s, health: undefined };
            },
          )
        : createWorkerPool(model.modelBytes, choice, opts.sessions ?? DEFAULT_POOL.sessions, sessionOptions, {
            verify,
            label: `model ${name} version ${version} (${dir})`,
            log,
            onHealth: (alive) => opts.metrics?.modelState(name, version, alive ? "ready" : "loading"),
          }));
      releases.push(() => opened.predictor.release());
      const poolHealth = opened.health;
      entries.push({
        name,
        version,
        schema: model.schema,
        manifest: model.manifest,
        sha256: model.sha256,
        predictor: opened.predictor,
        get ready() {
          return poolHealth?.alive() ?? true;
        },
        executionProvider: opened.provider,
      });
      health.push(poolHealth);
      opts.metrics?.modelState(name, version, "ready", opened.provider);
      log(
        `loaded ${name} version ${version} (${model.manifest.version}) from ${dir} on ${opened.provider} (${opened.reason}), ` +
          `${checked.length} golden sets match, in ${(performance.now() - t0).toFixed(0)} ms`,
      );
    } catch (err) {
      const reason = oneLine(err);
      fail({
        name,
        version,
        dir,
        reason: reason.includes(dir) ? reason : `onnxruntime could not run ${dir}: ${reason}`,
      });
    }
  }
  if (entries.length === 0) {
    const why = failures.map((f) => `${f.dir}: ${f.reason}`).join("; ");
    throw new ArtefactError(root, `no model version could be loaded (${why})`, HOW_TO_EXPORT);
  }
  failures.sort((a, b) => compareVersions(`${a.name}/${a.version}`, `${b.name}/${b.version}`));
  try {
    const registry = createModelRegistry(entries, {
      failures,
      ...(opts.defaultModel ? { defaultModel: opts.defaultModel } : {}),
    });
    return { registry, entries, failures, health, release };
  } catch (err) {
    await release();
    throw err;
  }
}
