/** What the run report is made from: the config, the sites and their split labels, every model's series and the evaluation. */
import type { TrainConfig } from "../config.ts";
import type { SiteSeries } from "../dataset.ts";
import type { Evaluation, ModelSeries } from "../evaluate.ts";

/** The report's input; `labels[i]` are site i's per-day split labels (training/splits.ts SPLIT). */
export interface ReportInput {
  config: TrainConfig;
  sites: readonly SiteSeries[];
  labels: readonly Uint8Array[];
  models: readonly ModelSeries[];
  evaluation: Evaluation;
  summary: Record<string, unknown>;
  /** Site cross-validation only: its sites scored with their own history (training/score-site-cv.ts). */
  withHistory?: Evaluation;
  log?: (line: string) => void;
}
