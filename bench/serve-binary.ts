/** bench:serve's binary arm: a site as Triton's HTTP client sends it (KServe v2 binary tensors, efflux answered as bytes) and its load generator. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { stackSites } from "../core/batch.ts";
import { staticWidth } from "../core/model-schema.ts";
import { type ModelIdentity, planSite } from "../core/predict-site.ts";
import type { SiteRequest } from "../core/request.ts";
import { INPUT_DYNAMIC, INPUT_STATIC, OUTPUT_EFFLUX } from "../model/graph-contract.ts";
import type { ModelDir } from "../model/node/read-model.ts";
import { encodeBinaryBody, INFERENCE_HEADER } from "../serving/v2-binary.ts";
import { V2_DATATYPE } from "../serving/v2-tensors.ts";

/** A v2 binary body written to `file`: the site's tensors exactly as `/v1/predict` runs them (its spin-up included). */
export interface BinaryBody {
  file: string;
  /** Request headers: the content type and the JSON header's length. */
  headers: Record<string, string>;
  /** Days per site in the tensor (the request's days plus spin-up). */
  days: number;
}

/**
 * Encode `site` through core's request path (so the tensor equals what `/v1/predict` runs for it) and write its
 * binary v2 body to `dir`.
 */
export function writeBinaryBody(site: SiteRequest, m: ModelDir, dir: string): BinaryBody {
  const identity: ModelIdentity = { ...m.manifest, sha256: m.manifest.model.sha256 };
  const plan = planSite(site, m.schema, identity, "site");
  const x = stackSites([plan.run], m.schema.dynamic.length, staticWidth(m.schema));
  const { body, jsonLength } = encodeBinaryBody(
    {
      inputs: [
        {
          name: INPUT_DYNAMIC,
          shape: [1, x.time, x.dynamicCols],
          datatype: V2_DATATYPE,
          parameters: { binary_data_size: x.dynamic.byteLength },
        },
        {
          name: INPUT_STATIC,
          shape: [1, x.staticCols],
          datatype: V2_DATATYPE,
          parameters: { binary_data_size: x.static.byteLength },
        },
      ],
      outputs: [{ name: OUTPUT_EFFLUX, parameters: { binary_data: true } }],
    },
    [x.dynamic, x.static],
  );
  const file = join(dir, "v2-binary-body.bin");
  writeFileSync(file, body);
  return {
    file,
    headers: { "content-type": "application/octet-stream", [INFERENCE_HEADER]: String(jsonLength) },
    days: x.time,
  };
}

/** What one load run measured. */
export interface LoadResult {
  total: number;
  /** Seconds. */
  duration: number;
  /** Latency percentiles, ms. */
  p50: number;
  p99: number;
  /** Non-2xx answers, errors and timeouts. */
  bad: number;
}

/** POST the body at `url` from `connections` connections for `seconds`, from a worker thread (as autocannon's own `workers: 1`). */
export function loadBinary(
  url: string,
  body: BinaryBody,
  connections: number,
  seconds: number,
): Promise<LoadResult> {
  const worker = new Worker(new URL("./load-worker.mjs", import.meta.url), {
    workerData: { url, file: body.file, headers: body.headers, connections, duration: seconds },
  });
  return new Promise((resolve, reject) => {
    worker.once("message", (r: LoadResult) => {
      resolve(r);
      void worker.terminate();
    });
    worker.once("error", reject);
    // a worker that ends without its result (after a result, the promise is settled and this does nothing)
    worker.once("exit", (code) =>
      reject(new Error(`the load worker exited (code ${code}) without a result`)),
    );
  });
}
