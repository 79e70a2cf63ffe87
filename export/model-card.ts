/** MODEL_CARD.md, generated from the manifest: what the model predicts, its inputs, data, skill, failure modes and limits. */
import { COSORE_CITATION } from "../core/daily-table.ts";
import type { FeatureSpecZ, ModelSchema } from "../core/model-schema.ts";
import { HEADS } from "../heads/registry.ts";
import type { Manifest } from "../model/manifest.ts";

/** What the card needs beyond the manifest. */
export interface ModelCardContext {
  manifest: Manifest;
  schema: ModelSchema;
  /** LSTM units. */
  hidden: number;
  /** Networks in the seed ensemble whose mean is the output (1: a single network). */
  members?: number;
  /** Training configuration facts worth stating, e.g. `{ split: "temporal", epochs: 60 }`. */
  training?: Record<string, string | number | boolean>;
  /** Sites and days the normaliser was fitted on. */
  fittedOn?: { sites: number; days: number };
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const isPrimitive = (v: unknown) => v === null || ["number", "string", "boolean"].includes(typeof v);

function cell(v: unknown): string {
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(3)));
  if (v === null || v === undefined) return "–";
  if (isPrimitive(v)) return String(v).replace(/\|/g, "\\|");
  return JSON.stringify(v).replace(/\|/g, "\\|");
}

function table(header: string[], rows: unknown[][]): string {
  const line = (cells: unknown[]) => `| ${cells.map(cell).join(" | ")} |`;
  return [`| ${header.join(" | ")} |`, `|${header.map(() => "---").join("|")}|`, ...rows.map(line)].join(
    "\n",
  );
}

/** Column and row names of the metrics tables in words (the summary's JSON keys are for programs). */
export const METRIC_WORDS: Record<string, string> = {
  sites: "sites",
  medianNse: "median NSE",
  medianKge: "median KGE",
  medianR: "median correlation r",
  medianAlpha: "median variability ratio α",
  medianBeta: "median bias ratio β",
  medianRmse: "median RMSE (µmol m-2 s-1)",
  medianPeakError: "median peak error",
  goodSites: "good sites (NSE > 0.5, KGE > 0.3)",
  goodShare: "share of sites good",
};

/** A JSON key as words: {@link METRIC_WORDS}, else camelCase split (`bestEpoch` → `best epoch`). */
export function metricWords(key: string): string {
  return (
    METRIC_WORDS[key] ??
    key
      .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
      .replace(/\b([A-Z])([a-z]+)\b/g, (_w, a: string, b: string) => a.toLowerCase() + b)
  );
}

/**
 * Render any metrics object as Markdown (headers and metric names in words, see {@link metricWords}): a record of primitives becomes a two-column table, a record of records of
 * primitives a table with one row per key, anything deeper a sub-heading per key. Unknown shapes never throw.
 */
export function renderMetrics(value: unknown, level = 3): string {
  if (!isRecord(value)) return cell(value);
  const entries = Object.entries(value);
  if (entries.length === 0) return "_empty_";
  const named = (es: [string, unknown][]) => es.map(([k, v]) => [metricWords(k), v]);
  if (entries.every(([, v]) => isPrimitive(v))) return table(["metric", "value"], named(entries));
  if (entries.every(([, v]) => isRecord(v) && Object.values(v).every(isPrimitive))) {
    const cols = [...new Set(entries.flatMap(([, v]) => Object.keys(v as object)))];
    return table(
      ["", ...cols.map(metricWords)],
      entries.map(([k, v]) => [k, ...cols.map((c) => (v as Record<string, unknown>)[c])]),
    );
  }
  const prims = entries.filter(([, v]) => isPrimitive(v));
  const parts = prims.length ? [table(["metric", "value"], named(prims))] : [];
  for (const [k, v] of entries.filter(([, v]) => !isPrimitive(v)))
    parts.push(`${"#".repeat(Math.min(level, 6))} ${k}\n\n${renderMetrics(v, level + 1)}`);
  return parts.join("\n\n");
}

const featureRows = (fs: readonly FeatureSpecZ[]) =>
  fs.map((f) => [
    `\`${f.name}\``,
    f.unit,
    `${f.min} … ${f.max}`,
    f.source === "date"
      ? "no (soilco2 computes it from the date)"
      : f.gap === "mask"
        ? "yes (NaN/null)"
        : "no",
    f.description,
  ]);

/** The card as Markdown. */
export function renderModelCard(ctx: ModelCardContext): string {
  const { manifest: m, schema: s } = ctx;
  const p = m.provenance;
  const citation = typeof p.dataCitation === "string" && p.dataCitation ? p.dataCitation : "not recorded";
  const dataSha = isRecord(p.dataSha256) ? Object.entries(p.dataSha256) : [];
  const unit = s.target.unit;
  const sections = [
    `# Model card: ${m.name} ${m.version}`,
    `## What it predicts\n\n${s.target.description}: \`${s.target.name}\`, one value per day, in **${unit}** ` +
      `(µmol CO2 m-2 s-1, daily mean). Output \`efflux\` [batch, time] is non-negative (the head below; target scale ${cell(s.normaliser.targetScale)}).`,
    `## The model\n\n` +
      table(
        ["", ""],
        [
          [
            "architecture",
            `LSTM, ${ctx.hidden} units, zero initial state, then ${HEADS.prior.description}${
              (ctx.members ?? 1) > 1
                ? `; a seed ensemble of ${ctx.members} such networks (same inputs, normaliser and architecture, different seeds): the output is their mean`
                : ""
            }`,
          ],
          ["file", `\`${m.model.file}\`, ${m.model.bytes} bytes, sha256 \`${m.model.sha256}\``],
          [
            "format",
            `ONNX IR ${m.model.irVersion}, opset ${m.model.opsetVersion}, producer ${m.model.producer.name} ${m.model.producer.version}`,
          ],
          ["inputs", m.inputs.map((t) => `\`${t.name}\` [${t.shape.join(", ")}]`).join(", ")],
          ["outputs", m.outputs.map((t) => `\`${t.name}\` [${t.shape.join(", ")}] ${t.unit}`).join(", ")],
          ["warm-up", `${s.warmupDays} days`],
        ],
      ),
    `## Inputs\n\nSend physical units; the graph normalises (fitted on the training split) and masks gaps itself. ` +
      `Values outside a valid range are refused by soilco2 runtimes, never clipped.\n\n### Daily drivers (\`dynamic\`, in this column order)\n\n` +
      table(["name", "unit", "valid range", "gaps allowed", "description"], featureRows(s.dynamic)) +
      `\n\n### Site attributes (\`static\`, in this column order)\n\n` +
      table(["name", "unit", "valid range", "gaps allowed", "description"], featureRows(s.static)) +
      `\n\nThen \`${s.categorical.name}\` one-hot over ${s.categorical.categories.map((c) => `\`${c}\``).join(", ")} ` +
      `(${s.categorical.description}; all zeros = unknown).` +
      (s.static.some((f) => f.name === "flux_ref")
        ? "\n\nThe site's reference statistics (`flux_ref`, `flux_q10`, ...) come from its own measured days: " +
          "`soilco2 reference <csv|parquet>` or `POST /v1/reference` computes them exactly as training did."
        : ""),
    `## Warm-up\n\nThe LSTM starts every series from a zero state. Predictions for the first **${s.warmupDays} days** ` +
      `of a series are less reliable: send at least ${s.warmupDays} days of drivers before the first day you need.`,
    `## Training data\n\n- Data: ${COSORE_CITATION}\n- As recorded by the run: ${citation}\n` +
      (dataSha.length
        ? dataSha.map(([f, h]) => `- \`${f}\` sha256 \`${cell(h)}\`\n`).join("")
        : "- Data files: sha256 not recorded\n") +
      `- Code: git commit ${cell(p.gitCommit ?? "not recorded")}${p.gitDirty ? " (with uncommitted changes)" : ""}, soilco2 ${cell(p.packageVersion)}, tfjs ${cell(p.tfjsVersion)} (${cell(p.backend)} backend), trained ${cell(p.createdAt)}\n` +
      (ctx.fittedOn
        ? `- Normaliser fitted on ${ctx.fittedOn.sites} sites, ${ctx.fittedOn.days} days (training split only)\n`
        : "") +
      (ctx.training
        ? `- Training: ${Object.entries(ctx.training)
            .map(([k, v]) => `${k} ${v}`)
            .join(", ")}`
        : ""),
    `## Skill at export\n\n` +
      (m.metrics && Object.keys(m.metrics).length
        ? `From the run's evaluation (metrics/summary.json; NSE and KGE are per site, then summarised). \`soilco2 score --card\` adds a section per setting below, scored on an ingest output as a user runs the model.\n\n${renderMetrics(m.metrics)}`
        : "Not evaluated: the run has no metrics/summary.json. Do not use this model for decisions before it is evaluated."),
    `## Known failure modes\n\n` +
      [
        "Arid and semi-arid sites: few in COSORE; efflux there is small and driven by rare wet spells the model sees little of.",
        "Boreal and tundra sites: frozen soils and snow cover are represented only through soil temperature; winter efflux is often biased.",
        "Tropical sites: under-represented in the training data; the seasonal signal is weak and skill is lower.",
        "Pulses after rain on dry soil (the Birch effect): short, large peaks that a daily model smooths and usually underestimates.",
        "Series shorter than the warm-up, or with long gaps in soil temperature or moisture: the state carries little information.",
        "Land-cover classes absent or rare in training (see the per-class table above, if evaluated) fall back on the other inputs.",
      ]
        .map((l) => `- ${l}`)
        .join("\n"),
    `## Intended use and limits\n\n` +
      [
        "Intended: daily soil CO2 efflux (soil respiration, Rs) at sites with daily soil temperature and, ideally, soil moisture; gap-filling and scenario exploration at the site scale.",
        "Not intended: sub-daily fluxes, net ecosystem exchange, other gases, or maps from gridded drivers without checking that the drivers match site measurements.",
        "Predictions are not measurements: report them with the skill figures above, and do not extrapolate outside the valid ranges (refused) or to land-cover classes and climates without evaluation.",
        `Golden sets (\`test_data_set_*/\`) hold inputs and the outputs of the tfjs reference; every runtime must match them within ${m.golden.tolerance.abs} absolute or ${m.golden.tolerance.rel} relative.`,
      ]
        .map((l) => `- ${l}`)
        .join("\n"),
  ];
  return `${sections.join("\n\n")}\n`;
}
