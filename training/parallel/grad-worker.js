// Entry of a data-parallel gradient worker thread: loads the TypeScript sources through tsx (as bin/soilco2.js does).
import { register } from "tsx/esm/api";

register();
await import("./grad-worker.ts");
