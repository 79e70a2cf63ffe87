// Node module hook for tests: writes every module URL the process loads to $SOILCO2_TRACE_IMPORTS, one per line
// (node --import ./test/helpers/trace-imports.mjs ...), so a test can see what a command loads.
import { register } from "node:module";

register(
  `data:text/javascript,${encodeURIComponent(`
import { appendFileSync } from "node:fs";
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  if (process.env.SOILCO2_TRACE_IMPORTS) appendFileSync(process.env.SOILCO2_TRACE_IMPORTS, r.url + "\\n");
  return r;
}`)}`,
);
