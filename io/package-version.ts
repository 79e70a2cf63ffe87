/** The soilco2 package version, read once from package.json: what provenance, the manifest's producer, ingest metadata, the server and `--version` report. */
import { readFileSync } from "node:fs";

/** `version` of soilco2's package.json, e.g. `0.1.0`. */
export const PACKAGE_VERSION: string = (
  JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }
).version;
