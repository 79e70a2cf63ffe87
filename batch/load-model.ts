/** Open a job's model for batch inference: serving's loader (golden sets checked) and its supervised worker-thread pool. */
import { ArtefactError } from "../core/errors.ts";
import type { ModelSchema } from "../core/model-schema.ts";
import type { ModelIdentity } from "../core/predict-site.ts";
import type { ProviderChoice } from "../serving/node/execution-provider.ts";
import { loadModels } from "../serving/node/load-models.ts";
import type { BatchPredictor } from "./run-part.ts";

/** An open model: its pool of sessions and schema. */
export interface BatchModel {
  predictor: BatchPredictor;
  schema: ModelSchema;
  identity: ModelIdentity;
  provider: string;
  release(): Promise<void>;
}

/**
 * Open `modelDir` with `sessions` worker sessions of one intra-op thread each (serving/node/worker-pool.ts).
 * @param expectSha256 the job's model sha256: a different model.onnx is refused
 * @throws {ArtefactError} when the directory does not load, or holds another model than the job's
 */
export async function loadBatchModel(
  modelDir: string,
  sessions: number,
  opts: { expectSha256?: string; provider?: ProviderChoice; log?: (line: string) => void } = {},
): Promise<BatchModel> {
  const loaded = await loadModels(modelDir, {
    sessions,
    threads: 1,
    provider: opts.provider ?? "cpu",
    log: opts.log,
  });
  const entry = loaded.entries[0]!;
  if (loaded.entries.length !== 1) {
    await loaded.release();
    throw new ArtefactError(
      modelDir,
      "holds more than one model version",
      "pass one version directory, e.g. models/soilco2-lstm/2",
    );
  }
  if (opts.expectSha256 && entry.sha256 !== opts.expectSha256) {
    await loaded.release();
    throw new ArtefactError(
      modelDir,
      `model.onnx has sha256 ${entry.sha256.slice(0, 12)}…, the job was planned with ${opts.expectSha256.slice(0, 12)}…`,
      "give every worker the same model directory as the job",
    );
  }
  return {
    predictor: entry.predictor,
    schema: entry.schema,
    identity: {
      name: entry.name,
      version: entry.manifest.version,
      sha256: entry.sha256,
      manifest: entry.manifest,
    },
    provider: entry.executionProvider,
    release: loaded.release,
  };
}
