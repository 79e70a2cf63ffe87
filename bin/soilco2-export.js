#!/usr/bin/env node
// soilco2-export entry: `soilco2-export <run dir> --out <model dir>`, the export command alone (loads TypeScript through tsx).
import { register } from "tsx/esm/api";

register();
const { Command } = await import("commander");
const { registerExport } = await import("../cli/export.ts");
const { Soilco2Error } = await import("../core/errors.ts");

const program = new Command("soilco2-export").showHelpAfterError();
registerExport(program);
try {
  await program.parseAsync(["node", "soilco2-export", "export", ...process.argv.slice(2)]);
} catch (err) {
  if (err instanceof Soilco2Error) {
    console.error(`soilco2-export: ${err.message}`);
    process.exitCode = 1;
  } else {
    console.error(err);
    process.exitCode = 2;
  }
}
