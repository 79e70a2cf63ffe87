#!/usr/bin/env node
// soilco2-export entry: `soilco2-export <run dir> --out <model dir>`, the export command alone (loads TypeScript through tsx).
import { register } from "tsx/esm/api";

register();
const { Command } = await import("commander");
const { defineExport } = await import("../cli/export.ts");
const { reportError } = await import("../cli/main.ts");

const program = defineExport(new Command("soilco2-export")).showHelpAfterError(
  "(run with --help for the options)",
);
try {
  await program.parseAsync(process.argv);
} catch (err) {
  reportError(err, "soilco2-export");
}
