/** Run one part: its sites through core's request → tensor path (planSite, stackSites, answerColumns) on a predictor, written as one Parquet part and its sidecar. */
import { stat } from "node:fs/promises";
import type { DuckDBConnection } from "@duckdb/node-api";
import { outputRow, type RawBatch, stackSites } from "../core/batch.ts";
import { Soilco2Error } from "../core/errors.ts";
import type { ModelSchema } from "../core/model-schema.ts";
import { staticWidth } from "../core/model-schema.ts";
import {
  answerColumns,
  type ModelIdentity,
  type PlannedSite,
  planSite,
  type SiteColumns,
} from "../core/predict-site.ts";
import { type BatchJob, type JobPart, partPath } from "./job.ts";
import { readJsonIf, writeJsonAtomic } from "./json-file.ts";
import { allocPartColumns, batchMetadata, fileSha256, writePart } from "./part-output.ts";
import { readPart } from "./read-part.ts";

/** Runs the model on a raw batch: [batch, time] efflux. */
export interface BatchPredictor {
  predict(input: RawBatch): Promise<Float32Array>;
}

/**
 * The model a part runs on: its schema, a predictor (the worker pool) and its identity, with the manifest whose
 * network intervals give a site without a calibration its interval (core/predict-site.ts).
 */
export interface PartModel {
  schema: ModelSchema;
  predictor: BatchPredictor;
  identity: ModelIdentity;
}

/** Per site of a part: rows written, rows dropped as duplicates, or why the site could not run. */
export interface SiteOutcome {
  site: string;
  rows: number;
  duplicateRows: number;
  error: string | null;
}

/** The sidecar `parts/<name>.json`, written after the part's Parquet file: the part is done once it exists. */
export interface PartRecord {
  format: "soilco2-batch-part";
  part: string;
  rows: number;
  sha256: string;
  bytes: number;
  sites: SiteOutcome[];
  /** Site-days the model ran over (spin-up included). */
  modelDays: number;
  writer: string;
}

/** Limits of one site's series in a batch: decades of days are fine (the HTTP limits do not apply). */
const BATCH_LIMITS = { maxSites: 1, maxDays: 200 * 366 };

/**
 * The part's record when its files are complete (the sidecar exists and the Parquet file still has its sha256),
 * else undefined: a rerun or a second delivery of the same job skips a complete part.
 */
export async function finishedPart(outDir: string, part: JobPart): Promise<PartRecord | undefined> {
  const rec = await readJsonIf<PartRecord>(partPath(outDir, part, "json"));
  if (!rec) return undefined;
  const sha = await fileSha256(partPath(outDir, part, "parquet")).catch(() => undefined);
  return sha === rec.sha256 ? rec : undefined;
}

/**
 * Sites in order of their run length, grouped so a batch's padded size (sites × longest) stays within `maxDays`
 * (one site alone may exceed it).
 */
export function groupBatches(plans: readonly PlannedSite[], cols: number, maxDays: number): PlannedSite[][] {
  const sorted = [...plans].sort((a, b) => a.run.dynamic.length - b.run.dynamic.length);
  const out: PlannedSite[][] = [];
  let cur: PlannedSite[] = [];
  for (const p of sorted) {
    const len = p.run.dynamic.length / cols;
    if (cur.length > 0 && (cur.length + 1) * len > maxDays) {
      out.push(cur);
      cur = [];
    }
    cur.push(p);
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

/**
 * Compute and write one part (see the module comment); a site that cannot run (bad attribute, calibration for
 * another model, not in the sites file) is recorded with its error and the others are written.
 * @param writer who wrote it, e.g. `soilco2 0.1.0 (host:pid)`
 */
export async function runPart(
  con: DuckDBConnection,
  outDir: string,
  job: BatchJob,
  part: JobPart,
  model: PartModel,
  writer: string,
): Promise<PartRecord> {
  const { schema, predictor, identity } = model;
  const sites = await readPart(con, outDir, job, part);
  const outcomes = new Map<string, SiteOutcome>();
  const plans: { plan: PlannedSite; present: Uint8Array; site: string }[] = [];
  for (const s of sites) {
    const outcome: SiteOutcome = { site: s.site, rows: 0, duplicateRows: s.duplicateRows, error: s.error };
    outcomes.set(s.site, outcome);
    if (!s.request) continue;
    try {
      plans.push({
        plan: planSite(s.request, schema, identity, s.site, BATCH_LIMITS),
        present: s.present,
        site: s.site,
      });
    } catch (err) {
      if (!(err instanceof Soilco2Error)) throw err;
      outcome.error = err.message;
    }
  }
  const Dd = schema.dynamic.length;
  const Ds = staticWidth(schema);
  const batches = groupBatches(
    plans.map((p) => p.plan),
    Dd,
    job.options.batchSiteDays,
  );
  const outputs = await Promise.all(
    batches.map(async (b) => {
      const raw = stackSites(
        b.map((p) => p.run),
        Dd,
        Ds,
      );
      const y = await predictor.predict(raw);
      return b.map((p, i) => answerColumns(p, outputRow(y, i, raw.time), schema));
    }),
  );
  const answered = new Map<PlannedSite, SiteColumns>();
  batches.forEach((b, k) => {
    b.forEach((p, i) => {
      answered.set(p, outputs[k]![i]!);
    });
  });
  const cols = allocPartColumns(plans.reduce((n, p) => n + p.plan.encoded.days.length, 0));
  let modelDays = 0;
  let at = 0;
  plans.forEach((p, ix) => {
    const a = answered.get(p.plan)!;
    const days = p.plan.encoded.days;
    cols.sites.push(p.site);
    cols.intervalSource.push(a.interval);
    modelDays += p.plan.run.dynamic.length / Dd;
    const n = days.length;
    cols.siteIx.fill(ix, at, at + n);
    cols.day.set(days, at);
    cols.efflux.set(a.efflux, at);
    if (a.lower && a.upper) {
      cols.lower.set(a.lower, at);
      cols.upper.set(a.upper, at);
    } else {
      cols.lower.fill(Number.NaN, at, at + n);
      cols.upper.fill(Number.NaN, at, at + n);
    }
    for (let t = 0; t < n; t++) cols.warmup[at + t] = a.warmup[t] ? 1 : 0;
    cols.driversPresent.set(p.present.subarray(0, n), at);
    at += n;
    outcomes.get(p.site)!.rows = days.length;
  });
  const file = partPath(outDir, part, "parquet");
  const { rows, sha256 } = await writePart(con, cols, file, batchMetadata(job.model, writer));
  const record: PartRecord = {
    format: "soilco2-batch-part",
    part: part.name,
    rows,
    sha256,
    bytes: (await stat(file)).size,
    sites: [...outcomes.values()],
    modelDays,
    writer,
  };
  await writeJsonAtomic(partPath(outDir, part, "json"), record);
  return record;
}
