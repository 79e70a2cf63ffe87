// Whether the prebuilt CLI bundle (dist/cli.js, made by cli/build-cli.ts at `npm ci`) can be used: it exists and none
// of the sources it was built from (dist/cli.meta.json) is newer. Plain JavaScript: it runs before any loader.
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";

/**
 * @param {string} root the repository root
 * @returns {boolean} true when dist/cli.js is there and at least as new as every source it bundles
 */
export function freshCliBundle(root) {
  try {
    const built = statSync(join(root, "dist/cli.js")).mtimeMs;
    const { inputs } = JSON.parse(readFileSync(join(root, "dist/cli.meta.json"), "utf8"));
    return inputs.length > 0 && inputs.every((p) => statSync(join(root, p)).mtimeMs <= built);
  } catch {
    return false;
  }
}
