/** The final manifest of a batch output: every part with its row count and checksum (verified against the file), the model, and the bad rows per site. */
import { join } from "node:path";
import { COSORE_CITATION } from "../core/daily-table.ts";
import { ArtefactError } from "../core/errors.ts";
import { BATCH_FILES, type BatchJob, partPath } from "./job.ts";
import { writeJsonAtomic } from "./json-file.ts";
import { BATCH_COLUMNS } from "./part-output.ts";
import { finishedPart, type PartRecord } from "./run-part.ts";
import type { StagedInput } from "./stage-input.ts";

/** Bad rows and failed sites of a run, per site: issue → rows, and the error that kept a site out. */
export type SiteIssues = Record<string, { rows: Record<string, number>; error?: string }>;

/** `manifest.json` of an output directory. */
export interface BatchManifest {
  format: "soilco2-batch-manifest";
  formatVersion: 1;
  model: BatchJob["model"];
  inputs: BatchJob["inputs"];
  options: BatchJob["options"];
  columns: typeof BATCH_COLUMNS;
  citation: string;
  parts: { name: string; file: string; rows: number; sha256: string; bytes: number; sites: number }[];
  totals: { rows: number; sites: number; failedSites: number; badRows: number };
  /** Per site: rows set aside (or a value turned into a gap) by issue, and why a site did not run. */
  issues: SiteIssues;
  rejectedSites: BatchJob["rejectedSites"];
  writtenAt: string;
}

/** Merge staging's counts and the parts' duplicate rows and site errors into one per-site report. */
export function siteIssues(staged: StagedInput["issues"], records: readonly PartRecord[]): SiteIssues {
  const out: SiteIssues = {};
  const at = (site: string) => {
    out[site] ??= { rows: {} };
    return out[site];
  };
  for (const i of staged) at(i.site).rows[i.issue] = (at(i.site).rows[i.issue] ?? 0) + i.rows;
  for (const r of records)
    for (const s of r.sites) {
      if (s.duplicateRows > 0) at(s.site).rows.duplicate_date = s.duplicateRows;
      if (s.error) at(s.site).error = s.error;
    }
  return out;
}

/**
 * Check every part of `job` and write `<out>/manifest.json` atomically.
 * @throws {ArtefactError} when a part is missing or its file no longer has the checksum its sidecar recorded
 */
export async function writeManifest(
  outDir: string,
  job: BatchJob,
  stagedIssues: StagedInput["issues"],
): Promise<BatchManifest> {
  const records: PartRecord[] = [];
  for (const p of job.parts) {
    const rec = await finishedPart(outDir, p);
    if (!rec)
      throw new ArtefactError(
        partPath(outDir, p, "parquet"),
        "is missing or incomplete",
        "run the same command again to finish it",
      );
    records.push(rec);
  }
  const issues = siteIssues(stagedIssues, records);
  const parts = await Promise.all(
    records.map(async (r) => ({
      name: r.part,
      file: `${BATCH_FILES.parts}/${r.part}.parquet`,
      rows: r.rows,
      sha256: r.sha256,
      bytes: r.bytes,
      sites: r.sites.filter((s) => s.rows > 0).length,
    })),
  );
  const manifest: BatchManifest = {
    format: "soilco2-batch-manifest",
    formatVersion: 1,
    model: job.model,
    inputs: job.inputs,
    options: job.options,
    columns: BATCH_COLUMNS,
    citation: COSORE_CITATION,
    parts,
    totals: {
      rows: parts.reduce((n, p) => n + p.rows, 0),
      sites: parts.reduce((n, p) => n + p.sites, 0),
      failedSites: Object.values(issues).filter((s) => s.error).length + job.rejectedSites.length,
      badRows: Object.values(issues).reduce(
        (n, s) => n + Object.values(s.rows).reduce((a, b) => a + b, 0),
        0,
      ),
    },
    issues,
    rejectedSites: job.rejectedSites,
    writtenAt: new Date().toISOString(),
  };
  await writeJsonAtomic(join(outDir, BATCH_FILES.manifest), manifest);
  return manifest;
}
