#!/usr/bin/env node
// soilco2 command-line entry: the prebuilt front end (dist/cli.js) while it is current, which registers the
// TypeScript loader (tsx) only when a command actually runs; otherwise the sources through tsx from the start.
import { fileURLToPath } from "node:url";
import { freshCliBundle } from "./cli-bundle.js";

const root = fileURLToPath(new URL("../", import.meta.url));
if (process.env.SOILCO2_NO_CLI_BUNDLE !== "1" && freshCliBundle(root)) {
  const { main } = await import("../dist/cli.js");
  await main(process.argv, "soilco2", async () => {
    const { register } = await import("tsx/esm/api");
    register();
  });
} else {
  const { register } = await import("tsx/esm/api");
  register();
  const { main } = await import("../cli/main.ts");
  await main(process.argv);
}
