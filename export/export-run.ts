/** `soilco2 export` as a function: a finished run directory in, a self-describing, verified model directory out. */
import { stat } from "node:fs/promises";
import { basename, join, relative, resolve } from "node:path";
import * as tf from "@tensorflow/tfjs";
import * as ortNode from "onnxruntime-node";
import { COSORE_CITATION } from "../core/daily-table.ts";
import { ArtefactError } from "../core/errors.ts";
import { isNonEmptyDir, publishDir } from "../io/atomic-dir.ts";
import { writeFileSynced } from "../io/atomic-write.ts";
import { PACKAGE_VERSION } from "../io/package-version.ts";
import { GOLDEN_FILES } from "../model/golden-set.ts";
import { IR_VERSION, OPSET_VERSION } from "../model/graph-contract.ts";
import {
  describeTensors,
  MANIFEST_FORMAT,
  MANIFEST_VERSION,
  type Manifest,
  MODEL_DIR_FILES,
} from "../model/manifest.ts";
import { DEFAULT_MODEL_NAME } from "../model/model-name.ts";
import { goldenDirName, writeGoldenSet } from "../model/node/golden-files.ts";
import { nodeSha256 } from "../model/node/read-model.ts";
import { encodeModel } from "../model/onnx-codec.ts";
import { PARITY_TOLERANCE, type ParityReport } from "../model/parity.ts";
import { memberDirs, memberSeedsLabel, RUN_FILES, readRunArtefacts } from "../training/run-dir.ts";
import { buildModel, PRODUCER_NAME } from "./build-model.ts";
import { checkedGoldenSets } from "./golden-parity.ts";
import { renderModelCard } from "./model-card.ts";
import { networkWeights } from "./network-weights.ts";
import type { ReferenceBackend } from "./reference-backend.ts";
import { TRITON_CONFIG_FILE, tritonConfig, writeModelLevelConfig } from "./triton-config.ts";

export interface ExportOptions {
  runDir: string;
  outDir: string;
  /** Default {@link DEFAULT_MODEL_NAME}. */
  name?: string;
  /** Default `<package version>+<run directory name>`. */
  version?: string;
  /** Replace a non-empty `outDir`. */
  force?: boolean;
}

/** What an export wrote and measured. */
export interface ExportResult {
  outDir: string;
  name: string;
  version: string;
  /** Every file written, relative to `outDir`, with its size in bytes. */
  files: { path: string; bytes: number }[];
  sha256: string;
  manifest: Manifest;
  reference: ReferenceBackend;
  /** onnxruntime-node against the tfjs golden outputs, over every golden set. */
  parity: ParityReport;
  /** Seconds onnxruntime-node took to create the session (graph optimisation `all`). */
  ortLoadSeconds: number;
  seconds: number;
  /** What the user should know, e.g. a run older than its own `schema.json` (its schema rebuilt from today's catalog). */
  warnings: string[];
}

/**
 * Export a run: build the ONNX graph, compute golden outputs with tfjs, check onnxruntime-node against them, and
 * publish model.onnx, manifest.json, MODEL_CARD.md, config.pbtxt (Triton) and test_data_set_N/ into `outDir`
 * atomically; with a numeric version directory, also `<outDir>/../config.pbtxt` (Triton's model level).
 * @throws {ArtefactError} for a run lacking normaliser, weights or config, or a non-empty `outDir` without `force`
 * @throws {Soilco2Error} code `parity_failed` if onnxruntime-node disagrees with tfjs (nothing is written)
 * @example const r = await exportRun({ runDir: "runs/x", outDir: "models/soilco2-lstm" }); console.log(r.sha256);
 */
export async function exportRun(opts: ExportOptions): Promise<ExportResult> {
  const t0 = performance.now();
  const runDir = resolve(opts.runDir);
  const outDir = resolve(opts.outDir);
  if (!opts.force && (await isNonEmptyDir(outDir)))
    throw new ArtefactError(
      outDir,
      "exists and is not empty",
      "pass --force to replace it, or choose another --out",
    );
  const run = await readRunArtefacts(runDir);
  const { schema } = run;
  const dirs = memberDirs(runDir, run.members.length);
  const members = run.members.map((w, k) =>
    networkWeights(w, schema, join(dirs[k]!, RUN_FILES.model, "model.json")),
  );
  const weights = members[0]!;
  const producerVersion = PACKAGE_VERSION;
  const name = opts.name ?? DEFAULT_MODEL_NAME;
  const version = opts.version ?? `${producerVersion}+${basename(runDir)}`;
  const provenance = run.provenance as unknown as Record<string, unknown>;
  const citation = run.provenance.dataCitation || COSORE_CITATION;

  const bytes = encodeModel(
    buildModel(
      schema,
      members,
      { name, version, provenance, metrics: run.summary, citation },
      producerVersion,
    ),
  );
  const sha256 = await nodeSha256(bytes);
  const { golden, sets, reference, parity, ortLoadSeconds } = await checkedGoldenSets(
    runDir,
    schema,
    members,
    bytes,
  );

  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    manifestVersion: MANIFEST_VERSION,
    name,
    version,
    model: {
      file: MODEL_DIR_FILES.model,
      sha256,
      bytes: bytes.byteLength,
      irVersion: IR_VERSION,
      opsetVersion: OPSET_VERSION,
      producer: { name: PRODUCER_NAME, version: producerVersion },
    },
    schema,
    provenance,
    metrics: run.summary,
    ...describeTensors(schema),
    golden: {
      source: golden.source,
      reference: `tfjs ${tf.version.tfjs} (${reference.name} backend), training/model.ts forward on core/prepare.ts inputs`,
      tolerance: { ...PARITY_TOLERANCE },
      sets: sets.map((s, i) => ({
        dir: goldenDirName(i),
        batch: s.input.batch,
        time: s.input.time,
        gaps:
          s.input.dynamic.reduce((n, v) => n + (Number.isNaN(v) ? 1 : 0), 0) +
          s.input.static.reduce((n, v) => n + (Number.isNaN(v) ? 1 : 0), 0),
        note: s.note,
      })),
      check: {
        runtime: `onnxruntime-node ${ortNode.env.versions.node ?? "?"}`,
        maxAbs: parity.maxAbs,
        maxRel: parity.maxRel,
        values: parity.values,
      },
    },
    exportedAt: new Date().toISOString(),
  };
  const c = run.config;
  const card = renderModelCard({
    manifest,
    schema,
    hidden: weights.hidden,
    members: members.length,
    fittedOn: run.normaliser.fittedOn,
    training: {
      split: c.split.kind,
      epochs: c.train.epochs,
      "window days": c.train.windowDays,
      "warm-up days": c.train.warmupDays,
      loss: "nse",
      dropout: c.model.dropout,
      seed: c.train.members > 1 ? memberSeedsLabel(c.train) : c.train.seed,
    },
  });

  const written: string[] = [];
  await publishDir(
    outDir,
    async (tmp) => {
      const put = async (path: string, data: string | Uint8Array) => {
        await writeFileSynced(join(tmp, path), data);
        written.push(path);
      };
      await put(MODEL_DIR_FILES.model, bytes);
      for (const [i, s] of sets.entries()) {
        const dir = await writeGoldenSet(tmp, i, s);
        for (const f of Object.values(GOLDEN_FILES)) written.push(relative(tmp, join(dir, f)));
      }
      await put(MODEL_DIR_FILES.card, card);
      await put(MODEL_DIR_FILES.manifest, `${JSON.stringify(manifest, null, 2)}\n`);
      await put(TRITON_CONFIG_FILE, tritonConfig(manifest));
    },
    { force: opts.force ?? false },
  );
  await writeModelLevelConfig(outDir, tritonConfig(manifest));
  const files = await Promise.all(
    written.map(async (path) => ({ path, bytes: (await stat(join(outDir, path))).size })),
  );
  return {
    outDir,
    name,
    version,
    files,
    sha256,
    manifest,
    reference,
    parity,
    ortLoadSeconds,
    seconds: (performance.now() - t0) / 1000,
    warnings:
      run.schemaSource === "rebuilt"
        ? [
            `warning: ${runDir} has no ${RUN_FILES.schema} (trained before runs kept their schema): the published schema was rebuilt from today's feature catalog; check its ranges and units if core/features.ts changed since training`,
          ]
        : [],
  };
}
