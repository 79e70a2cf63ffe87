/** The model schema of a run (the catalog entries of its features and its normaliser), written at training time so that export publishes the contract the run was trained with. */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { ArtefactError } from "../core/errors.ts";
import { makeModelSchema } from "../core/make-schema.ts";
import { type ModelSchema, parseModelSchema } from "../core/model-schema.ts";
import { writeJsonAtomic } from "../io/atomic-write.ts";
import type { TrainConfig } from "./config.ts";
import { type NormaliserFile, RUN_FILES } from "./run-dir.ts";

/** The model schema of a run's features from today's catalog (core/features.ts) and the run's normaliser. */
export function runModelSchema(config: TrainConfig, normaliser: NormaliserFile): ModelSchema {
  return makeModelSchema({
    dynamic: config.features.dynamic,
    static: config.features.static,
    warmupDays: config.train.warmupDays,
    normaliser: {
      dynamic: normaliser.dynamic,
      static: normaliser.static,
      targetScale: normaliser.targetScale,
    },
  });
}

/** Write `schema.json` into `dir` (atomically): the schema the run is trained with, for export to publish as it is. */
export async function writeRunSchema(
  dir: string,
  config: TrainConfig,
  normaliser: NormaliserFile,
): Promise<void> {
  await writeJsonAtomic(join(dir, RUN_FILES.schema), runModelSchema(config, normaliser));
}

/**
 * The schema a run was trained with: its `schema.json`, or, for a run written before runs carried one, rebuilt from
 * today's catalog (`source: "rebuilt"`, which export reports, since a catalog edit since training would change it).
 * @throws {ArtefactError} for a `schema.json` that is not valid JSON or not a model schema
 */
export async function readRunSchema(
  dir: string,
  config: TrainConfig,
  normaliser: NormaliserFile,
): Promise<{ schema: ModelSchema; source: "run" | "rebuilt" }> {
  const path = join(dir, RUN_FILES.schema);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    return { schema: runModelSchema(config, normaliser), source: "rebuilt" };
  }
  try {
    return { schema: parseModelSchema(JSON.parse(text)), source: "run" };
  } catch (cause) {
    throw new ArtefactError(
      path,
      `is not a model schema: ${(cause as Error).message}`,
      "restore it from the training run, or delete it to rebuild it from today's feature catalog",
      { cause },
    );
  }
}
