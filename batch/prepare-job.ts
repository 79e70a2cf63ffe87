/** Prepare a batch job in an output directory: resolve and stage the inputs, plan the parts, write job.json; a rerun with the same inputs, model and options reuses it. */
import { mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { ArtefactError } from "../core/errors.ts";
import type { ModelSchema } from "../core/model-schema.ts";
import { readModelDir } from "../model/node/read-model.ts";
import type { BatchDb } from "./duckdb.ts";
import { resolveInput } from "./input-files.ts";
import {
  BATCH_FILES,
  type BatchJob,
  JOB_FORMAT_VERSION,
  type JobOptions,
  planParts,
  readJob,
} from "./job.ts";
import { readJsonIf, writeJsonAtomic } from "./json-file.ts";
import { STAGING_FILES, type StagedInput, stageInput } from "./stage-input.ts";

/** What {@link prepareJob} needs. */
export interface PrepareOptions {
  drivers: string;
  sites: string;
  outDir: string;
  /** A model version directory (model.onnx + manifest.json). */
  modelDir: string;
  options: JobOptions;
}

/** A prepared job, its model's schema, and the bad rows staging counted (only when it staged now). */
export interface PreparedJob {
  job: BatchJob;
  schema: ModelSchema;
  issues: StagedInput["issues"];
  /** True when an existing job.json was reused (a resumed run). */
  resumed: boolean;
  /** Bad rows by site and issue (staging's counts). */
  issuesFile: string;
}

/**
 * Prepare (or resume) the job of `outDir` (see the module comment).
 * @throws {InputError} for a missing, unreadable or unusable input
 * @throws {ArtefactError} when `outDir` holds a job for other inputs, another model or other options
 */
export async function prepareJob(db: BatchDb, o: PrepareOptions): Promise<PreparedJob> {
  const outDir = resolve(o.outDir);
  const modelDir = resolve(o.modelDir);
  const model = await readModelDir(modelDir);
  const identity = { name: model.manifest.name, version: model.manifest.version, sha256: model.sha256 };
  const drivers = await resolveInput(db.con, o.drivers, "--drivers");
  const sites = await resolveInput(db.con, o.sites, "--sites");
  const fingerprint = `${drivers.fingerprint}#${sites.fingerprint}`;
  const issuesFile = join(outDir, STAGING_FILES.dir, "issues.json");
  const existing = await readJob(outDir);
  if (existing) {
    const same =
      existing.inputs.fingerprint === fingerprint &&
      existing.model.sha256 === identity.sha256 &&
      JSON.stringify(existing.options) === JSON.stringify(o.options);
    if (!same)
      throw new ArtefactError(
        join(outDir, BATCH_FILES.job),
        "holds a job for other inputs, another model or other options",
        "write to a new --out directory (or delete this one to start over)",
      );
    const issues = (await readJsonIf<StagedInput["issues"]>(issuesFile)) ?? [];
    return { job: existing, schema: model.schema, issues, resumed: true, issuesFile };
  }
  const stagingDir = join(outDir, STAGING_FILES.dir);
  await mkdir(join(outDir, BATCH_FILES.parts), { recursive: true });
  const staged = await stageInput(db.con, drivers, sites, model.schema, stagingDir);
  const parts = planParts(staged.sites, o.options.partSiteDays);
  const job: BatchJob = {
    format: "soilco2-batch-job",
    formatVersion: JOB_FORMAT_VERSION,
    modelDir,
    model: identity,
    inputs: { drivers: o.drivers, sites: o.sites, fingerprint },
    options: o.options,
    drivers: staged.drivers,
    rejectedSites: staged.rejectedSites,
    parts,
    totalSiteDays: parts.reduce((n, p) => n + p.siteDays, 0),
    createdAt: new Date().toISOString(),
  };
  await writeJsonAtomic(issuesFile, staged.issues);
  await writeJsonAtomic(join(outDir, BATCH_FILES.job), job);
  return { job, schema: model.schema, issues: staged.issues, resumed: false, issuesFile };
}
