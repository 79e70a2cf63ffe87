/** JSON files of a batch output directory: read when present, written atomically (io/atomic-write.ts). */
import { readFile } from "node:fs/promises";

export { writeJsonAtomic } from "../io/atomic-write.ts";

/** Parse `path` as JSON, or undefined when it is missing or not JSON (a part being written is not done yet). */
export async function readJsonIf<T>(path: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(path, "utf8")) as T;
  } catch {
    return undefined;
  }
}
