// The README's export commands never tell a user to overwrite a shipped model: a new numbered directory, no --force.
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
const exports = readme.split("\n").filter((l) => /\bsoilco2(\.js)?\s+export\b/.test(l) && /--out\s/.test(l));

describe("README export commands", () => {
  it("name at least one export into models/", () => {
    expect(exports.some((l) => /--out\s+models\//.test(l))).toBe(true);
  });

  it("write a new numbered version directory, never a shipped one, and never with --force", () => {
    for (const line of exports) {
      const out = /--out\s+(\S+)/.exec(line)![1]!;
      if (!out.startsWith("models/")) continue;
      expect(out, line).toMatch(/^models\/[^/]+\/\d+$/);
      expect(existsSync(new URL(`../${out}`, import.meta.url)), `${out} is a shipped model`).toBe(false);
      expect(line).not.toMatch(/--force\b/);
    }
  });
});
