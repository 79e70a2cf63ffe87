/** Provenance of a run: git commit, package versions, backend, and the sha256 of the training data files. */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as tf from "@tensorflow/tfjs";
import { COSORE_CITATION, DAILY_FILES } from "../core/daily-table.ts";
import { PACKAGE_VERSION } from "../io/package-version.ts";
import type { Provenance } from "./run-dir.ts";

const REPO_ROOT = fileURLToPath(new URL("..", import.meta.url));

function git(args: string[]): string | null {
  try {
    return execFileSync("git", args, { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "ignore"] })
      .toString()
      .trim();
  } catch {
    return null;
  }
}

/** sha256 of a file, hex. */
export function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash("sha256");
    createReadStream(path)
      .on("data", (d) => h.update(d))
      .on("end", () => resolve(h.digest("hex")))
      .on("error", reject);
  });
}

/** Collect provenance for a run trained on the ingest output in `dataDir` with tfjs backend `backend`. */
export async function collectProvenance(dataDir: string, backend: string): Promise<Provenance> {
  const status = git(["status", "--porcelain", "--untracked-files=no"]);
  const dataSha256: Record<string, string> = {};
  for (const f of [DAILY_FILES.daily, DAILY_FILES.sites]) {
    try {
      dataSha256[f] = await sha256File(join(dataDir, f));
    } catch {
      // A missing file is reported by the dataset loader with a hint; provenance just leaves it out.
    }
  }
  return {
    gitCommit: git(["rev-parse", "HEAD"]),
    gitDirty: status === null ? null : status.length > 0,
    packageVersion: PACKAGE_VERSION,
    tfjsVersion: tf.version.tfjs,
    backend,
    node: process.version,
    createdAt: new Date().toISOString(),
    dataSha256,
    dataCitation: COSORE_CITATION,
  };
}
