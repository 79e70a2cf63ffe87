// bench:serve's load generator in a worker thread for bodies autocannon cannot take across threads (a Buffer
// arrives as a Uint8Array, which autocannon refuses): reads the body file here, runs autocannon, posts its result.
import { readFileSync } from "node:fs";
import { parentPort, workerData } from "node:worker_threads";
import autocannon from "autocannon";

const { url, file, headers, connections, duration } = workerData;
const opts = { url, method: "POST", headers, body: readFileSync(file), connections, duration };
// off the main thread autocannon hands back its raw per-thread result; aggregate it as its own workers mode does
const r = autocannon.aggregateResult([await autocannon(opts)], opts);
parentPort.postMessage({
  total: r.requests.total,
  duration: r.duration,
  p50: r.latency.p50,
  p99: r.latency.p99,
  bad: r.non2xx + r.errors + r.timeouts,
});
