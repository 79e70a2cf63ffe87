/** Which inputs become golden sets: the run's real windows (`<run>/golden-inputs.json`) if present, else seeded random windows. */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { type RawBatch, stackSites } from "../core/batch.ts";
import { ArtefactError } from "../core/errors.ts";
import { type ModelSchema, staticWidth } from "../core/model-schema.ts";
import { seededRng } from "../core/random.ts";
import type { EncodedSite } from "../core/request.ts";
import { randomInput, type WindowSpec } from "./random-windows.ts";

/** Optional file in a run directory: real windows to export as golden sets. */
export const GOLDEN_INPUTS_FILE = "golden-inputs.json";

/** Inputs of one golden set, with a line saying what it exercises. */
export interface GoldenInput {
  input: RawBatch;
  note: string;
}

const goldenInputsZ = z
  .array(
    z.object({
      /** [time][Dd], physical units, null = gap. */
      dynamic: z.array(z.array(z.number().nullable())).min(1),
      /** [Ds], physical units and one-hot block, null = gap. */
      static: z.array(z.number().nullable()),
    }),
  )
  .min(1);

/** The random golden sets: one clean series, a gappy multi-site batch, a single day, a series past the warm-up. */
export const RANDOM_GOLDEN_SPECS: readonly (WindowSpec & { note: string })[] = [
  { batch: 1, time: 30, note: "one site, 30 days, no gaps" },
  {
    batch: 4,
    time: 120,
    gapRate: 0.15,
    staticGapRate: 0.5,
    blockGapRate: 0.5,
    note: "4 sites, 120 days, scattered and block gaps in drivers, gaps in site attributes",
  },
  { batch: 3, time: 1, gapRate: 0.3, note: "3 sites, a single day, some gaps" },
  {
    batch: 2,
    time: 400,
    gapRate: 0.05,
    blockGapRate: 1,
    note: "2 sites, 400 days (past the warm-up), a block gap",
  },
];

/** Seeded random golden inputs within the schema's ranges (see {@link RANDOM_GOLDEN_SPECS}). */
export function randomGoldenInputs(schema: ModelSchema, seed = 20200607): GoldenInput[] {
  const rand = seededRng(seed);
  return RANDOM_GOLDEN_SPECS.map(({ note, ...spec }) => {
    const x = randomInput(schema, spec, rand);
    return { note, input: { ...x, dynamicCols: schema.dynamic.length, staticCols: staticWidth(schema) } };
  });
}

/**
 * Golden inputs from a run's real windows: one set per window, plus all windows stacked into one batch (shorter
 * ones padded with NaN at the end, as core/batch.ts does).
 * @throws {ArtefactError} if a window does not fit the schema's column counts
 */
export function runGoldenInputs(
  json: unknown,
  schema: ModelSchema,
  file = GOLDEN_INPUTS_FILE,
): GoldenInput[] {
  const parsed = goldenInputsZ.safeParse(json);
  if (!parsed.success)
    throw new ArtefactError(
      file,
      `not an array of {dynamic, static} windows: ${parsed.error.issues[0]?.message ?? "invalid"}`,
      "see docs/export.md for the format",
    );
  const Dd = schema.dynamic.length;
  const Ds = staticWidth(schema);
  const sites: EncodedSite[] = parsed.data.map((w, i) => {
    if (w.static.length !== Ds || w.dynamic.some((row) => row.length !== Dd))
      throw new ArtefactError(
        file,
        `window ${i} has rows of ${w.dynamic.map((r) => r.length).find((n) => n !== Dd) ?? Dd} drivers and ${w.static.length} attributes; the schema needs ${Dd} and ${Ds}`,
        "regenerate golden-inputs.json with this run's features",
      );
    return {
      id: String(i),
      days: [],
      firstDay: 0,
      rows: new Int32Array(0),
      dynamic: Float32Array.from(w.dynamic.flat(), (v) => v ?? Number.NaN),
      static: Float32Array.from(w.static, (v) => v ?? Number.NaN),
    };
  });
  const sets = sites.map((s, i) => ({
    note: `run window ${i}: ${s.dynamic.length / Dd} days`,
    input: stackSites([s], Dd, Ds),
  }));
  if (sites.length > 1)
    sets.push({
      note: `all ${sites.length} run windows in one batch, padded with NaN`,
      input: stackSites(sites, Dd, Ds),
    });
  return sets;
}

/**
 * The golden inputs for a run: its `golden-inputs.json` when present, else {@link randomGoldenInputs}.
 * @throws {ArtefactError} if golden-inputs.json exists but is invalid
 */
export async function goldenInputs(
  runDir: string,
  schema: ModelSchema,
): Promise<{ source: "run" | "random"; sets: GoldenInput[] }> {
  const path = join(runDir, GOLDEN_INPUTS_FILE);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    return { source: "random", sets: randomGoldenInputs(schema) };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new ArtefactError(path, "is not valid JSON", "fix or remove the file", { cause });
  }
  return { source: "run", sets: runGoldenInputs(json, schema, path) };
}
