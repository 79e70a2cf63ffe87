/** Where the shared COSORE release lives: $SOILCO2_COSORE, else <repo root>/../shared/data/cosore (never copied into the repo). */
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Repository root (the folder holding package.json). */
export const REPO_ROOT = fileURLToPath(new URL("..", import.meta.url));

/** Absolute path of the COSORE release used by the integration test and the benchmark. */
export function cosorePath(): string {
  return resolve(process.env.SOILCO2_COSORE ?? resolve(REPO_ROOT, "../shared/data/cosore"));
}
