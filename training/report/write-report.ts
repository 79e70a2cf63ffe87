/** The run report: `report.md` with the tables a scientist reads, and SVG figures under `figures/`. */
import { join } from "node:path";
import { writeFileAtomic } from "../../io/atomic-write.ts";
import { RUN_FILES } from "../run-dir.ts";
import { writeFigures } from "./report-figures.ts";
import type { ReportInput } from "./report-input.ts";
import { renderMarkdown } from "./report-markdown.ts";

/** Write report.md and figures/*.svg into the run directory. Returns the report path. */
export async function writeReport(runDir: string, input: ReportInput): Promise<string> {
  const labelOf = (m: string) => input.models.find((x) => x.name === m)?.label ?? m;
  const figures = await writeFigures(runDir, input, labelOf);
  input.log?.(`wrote ${figures.length} figures`);
  const path = join(runDir, RUN_FILES.report);
  await writeFileAtomic(path, renderMarkdown(runDir, input, figures, labelOf));
  return path;
}
