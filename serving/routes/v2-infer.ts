/** KServe v2 inference: `POST /v2/models/{name}[/versions/{v}]/infer` with JSON tensors (`null` = NaN gap). */
import type { Context } from "hono";
import { z } from "zod";
import type { EncodedSite } from "../../core/request.ts";
import { OUTPUT_EFFLUX } from "../../export/graph-contract.ts";
import type { AppEnv, RouteDeps, ServingApp } from "../context.ts";
import { readJson, zodHttpError } from "../errors.ts";
import type { ModelEntry } from "../registry.ts";
import { errorBodyZ, v2InferRequestZ, v2InferResponseZ } from "../schemas.ts";
import { checkRequestedOutputs, readInferInputs, V2_DATATYPE } from "../v2-tensors.ts";
import { pathModel } from "./v2-models.ts";

/** Add the v2 inference routes. Rows of the batch go through the model's micro-batcher like `/v1/predict` sites. */
export function v2InferRoutes(app: ServingApp, deps: RouteDeps): void {
  const errJson = { "application/json": { schema: errorBodyZ } };
  for (const base of ["/v2/models/{name}", "/v2/models/{name}/versions/{version}"])
    app.openAPIRegistry.registerPath({
      method: "post",
      path: `${base}/infer`,
      summary: "Inference (KServe v2 / Open Inference Protocol), JSON tensors; null in data = NaN (gap)",
      request: {
        params: base.includes("{version}")
          ? z.object({ name: z.string(), version: z.string() })
          : z.object({ name: z.string() }),
        body: { required: true, content: { "application/json": { schema: v2InferRequestZ } } },
      },
      responses: {
        200: {
          description: "inference response",
          content: { "application/json": { schema: v2InferResponseZ } },
        },
        400: { description: "invalid tensors, naming the input and element", content: errJson },
        404: { description: "unknown model or version", content: errJson },
        408: { description: "timeout", content: errJson },
        413: { description: "body too large", content: errJson },
        503: { description: "model not ready, queue full or shutting down", content: errJson },
      },
    });

  /** Validate and read a parsed body into tensors; the parsed JSON is unreachable once this returns. */
  const prepare = (body: unknown, model: ModelEntry) => {
    const parsed = v2InferRequestZ.safeParse(body);
    if (!parsed.success)
      throw zodHttpError(parsed.error, "see the Open Inference Protocol request format in /docs");
    const req = parsed.data;
    const x = readInferInputs(req, model.schema, deps.limits);
    checkRequestedOutputs(req);
    const rowD = x.time * x.dynamicCols;
    const rows: EncodedSite[] = Array.from({ length: x.batch }, (_, b) => ({
      id: undefined,
      days: [],
      firstDay: 0,
      rows: new Int32Array(0),
      dynamic: x.dynamic.subarray(b * rowD, (b + 1) * rowD),
      static: x.static.subarray(b * x.staticCols, (b + 1) * x.staticCols),
    }));
    return { id: req.id, batch: x.batch, time: x.time, rows };
  };

  const infer = async (c: Context<AppEnv>) => {
    const entry = pathModel(deps, c);
    const model = deps.resolve(entry.name, entry.version);
    const { id, batch, time, rows } = prepare(await readJson(c.req.raw), model);
    const out = await deps.batcher(model).submit(rows, c.var.signal);
    const data = new Array<number>(batch * time);
    out.forEach((row, b) => {
      for (let t = 0; t < time; t++) data[b * time + t] = row[t]!;
    });
    return c.json({
      model_name: model.name,
      model_version: model.version,
      ...(id !== undefined ? { id } : {}),
      outputs: [{ name: OUTPUT_EFFLUX, datatype: V2_DATATYPE, shape: [batch, time], data }],
    });
  };
  app.post("/v2/models/:name/infer", infer);
  app.post("/v2/models/:name/versions/:version/infer", infer);
}
