/** A batch job as written to `<out>/job.json`: the model, the inputs it was staged from, its options and its parts (site chunks). */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { ArtefactError } from "../core/errors.ts";
import type { ModelIdentity } from "../core/predict-site.ts";
import type { SpinUpMode } from "../core/spin-up.ts";
import type { StagedInput } from "./stage-input.ts";

/** The job format this version writes and reads. */
export const JOB_FORMAT_VERSION = 2;

/** Files and folders of an output directory. */
export const BATCH_FILES = {
  job: "job.json",
  manifest: "manifest.json",
  parts: "parts",
} as const;

/** Options that change what a job computes (a rerun must use the same). */
export interface JobOptions {
  /** Days prepended to each series to warm the model up (core/spin-up.ts). */
  spinUp: SpinUpMode;
  /** A part holds whole sites until it spans about this many site-days (its output rows). */
  partSiteDays: number;
  /** Most padded site-days in one session.run (sites of a batch are padded to the longest). */
  batchSiteDays: number;
}

/**
 * The shipped options: parts of ~100 000 site-days (three in flight stay well under the memory target), batches of
 * at most 16 000 padded site-days, about four 10-year series, where bare session.run peaks (`npm run bench:batch`).
 */
export const DEFAULT_JOB_OPTIONS: JobOptions = {
  spinUp: "mirror",
  partSiteDays: 100_000,
  batchSiteDays: 16_000,
};

/** One part: a contiguous range of sites in DuckDB's order, written to `parts/<name>.parquet`. */
export interface JobPart {
  index: number;
  /** `chunk-00000`, …: the partition's name and its files' names. */
  name: string;
  firstSite: string;
  lastSite: string;
  /** Ranks (`ix` of the staged files) of its first and last site. */
  firstIx: number;
  lastIx: number;
  sites: number;
  /** Output rows it will hold (each site's span, first to last driver day). */
  siteDays: number;
}

/** The job file. */
export interface BatchJob {
  format: "soilco2-batch-job";
  /** 2: staged drivers keyed by site rank (parts carry `firstIx`/`lastIx`). */
  formatVersion: 2;
  /** Absolute model directory and the model's identity; a worker refuses a model with another sha256. */
  modelDir: string;
  model: ModelIdentity;
  inputs: { drivers: string; sites: string; fingerprint: string };
  options: JobOptions;
  drivers: string[];
  rejectedSites: StagedInput["rejectedSites"];
  parts: JobPart[];
  totalSiteDays: number;
  createdAt: string;
}

/** Path of a part's files. */
export function partPath(outDir: string, part: Pick<JobPart, "name">, ext: "parquet" | "json"): string {
  return join(outDir, BATCH_FILES.parts, `${part.name}.${ext}`);
}

/**
 * Split staged sites (in order) into parts of whole sites, each closed once it spans `partSiteDays` output rows.
 * @example planParts([{ site: "a", ix: 1, firstDay: 0, lastDay: 9, rows: 10 }], 5)[0].siteDays // 10
 */
export function planParts(sites: StagedInput["sites"], partSiteDays: number): JobPart[] {
  const parts: JobPart[] = [];
  let open: JobPart | undefined;
  for (const s of sites) {
    const span = s.lastDay - s.firstDay + 1;
    if (!open) {
      open = {
        index: parts.length,
        name: partName(parts.length),
        firstSite: s.site,
        lastSite: s.site,
        firstIx: s.ix,
        lastIx: s.ix,
        sites: 0,
        siteDays: 0,
      };
      parts.push(open);
    }
    open.lastSite = s.site;
    open.lastIx = s.ix;
    open.sites++;
    open.siteDays += span;
    if (open.siteDays >= partSiteDays) open = undefined;
  }
  return parts;
}

/** The name of part `index`. */
export function partName(index: number): string {
  return `chunk-${String(index).padStart(5, "0")}`;
}

/** Read `<out>/job.json`, or undefined when there is none. */
export async function readJob(outDir: string): Promise<BatchJob | undefined> {
  const path = join(outDir, BATCH_FILES.job);
  const text = await readFile(path, "utf8").catch(() => undefined);
  if (text === undefined) return undefined;
  const job = JSON.parse(text) as BatchJob;
  if (job.formatVersion !== JOB_FORMAT_VERSION)
    throw new ArtefactError(
      path,
      `is a job of format ${job.formatVersion}; this soilco2 stages and reads format ${JOB_FORMAT_VERSION}`,
      "write to a new --out directory (or delete this one to start over)",
    );
  return job;
}
