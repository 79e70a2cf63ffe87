/** An untrained run directory (seeded random weights, a plausible normaliser, no data): what tests and benches export when they need a model but not a trained one. */

import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { findFeature, IGBP_CODES } from "../core/features.ts";
import { writeJsonAtomic } from "../io/atomic-write.ts";
import { buildArchitecture } from "./architecture.ts";
import { silenceCpuBanner } from "./backend.ts";
import { parseTrainConfig, type TrainConfigInput } from "./config.ts";
import { type Architecture, initParams, paramList } from "./model.ts";
import { memberDirs, NORMALISER_FORMAT, type NormaliserFile, RUN_FILES } from "./run-dir.ts";
import { writeRunSchema } from "./run-schema.ts";
import { saveWeights } from "./weights-file.ts";

silenceCpuBanner(); // as the CLI does: tfjs's cpu banner once per test process is noise

/**
 * Write `<dir>/config.json`, `normaliser.json` and `model/` for an untrained model (`members/member-<k>/model/` for
 * each member when `config.train.members` > 1).
 * Means and stds come from each feature's valid range, so random inputs within range are well scaled.
 */
export async function writeSyntheticRun(
  dir: string,
  opts: { hidden?: number; seed?: number; config?: Partial<TrainConfigInput> } = {},
): Promise<{ architecture: Architecture; normaliser: NormaliserFile }> {
  const config = parseTrainConfig({
    data: { dir: "synthetic" },
    ...opts.config,
    model: { hidden: opts.hidden ?? 8, ...(opts.config?.model ?? {}) },
  });
  const stat = (name: string) => {
    const f = findFeature(name)!;
    return { mean: (f.min + f.max) / 2, std: (f.max - f.min) / 4 };
  };
  const dyn = config.features.dynamic.map(stat);
  const st = [...config.features.static.map(stat), ...IGBP_CODES.map(() => ({ mean: 0, std: 1 }))];
  const normaliser: NormaliserFile = {
    format: NORMALISER_FORMAT,
    dynamicColumns: [...config.features.dynamic],
    staticColumns: [...config.features.static, ...IGBP_CODES.map((c) => `igbp=${c}`)],
    dynamic: { mean: dyn.map((s) => s.mean), std: dyn.map((s) => s.std) },
    static: { mean: st.map((s) => s.mean), std: st.map((s) => s.std) },
    targetScale: 3.2,
    fittedOn: { sites: 0, days: 0 },
  };
  const architecture: Architecture = buildArchitecture(config, normaliser);
  // One network per ensemble member (config.train.members), member k with seed + k, as training lays them out.
  for (const [k, memberDir] of memberDirs(dir, config.train.members).entries()) {
    const params = initParams(architecture, (opts.seed ?? 7) + k);
    await saveWeights(join(memberDir, RUN_FILES.model), architecture, params);
    for (const v of paramList(params)) v.dispose();
  }
  await writeJsonAtomic(join(dir, RUN_FILES.normaliser), normaliser);
  await writeRunSchema(dir, config, normaliser);
  await writeJsonAtomic(join(dir, RUN_FILES.config), {
    config,
    provenance: {
      gitCommit: null,
      gitDirty: null,
      packageVersion: "0.0.0-test",
      tfjsVersion: tf.version.tfjs,
      backend: "synthetic",
      node: process.version,
      createdAt: new Date(0).toISOString(),
      dataSha256: {},
      dataCitation: "synthetic (no data)",
    },
  });
  return { architecture, normaliser };
}
