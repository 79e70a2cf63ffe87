/** KServe v2 inference: `POST /v2/models/{name}[/versions/{v}]/infer` with JSON tensors (`null` = NaN gap) or binary ones. */
import type { Context } from "hono";
import { z } from "zod";
import type { EncodedSite } from "../../core/request.ts";
import type { AppEnv, RouteDeps, ServingApp } from "../context.ts";
import { zodHttpError } from "../errors.ts";
import type { ModelEntry } from "../registry.ts";
import { errorBodyZ, v2InferRequestZ, v2InferResponseZ } from "../schemas.ts";
import { binaryInputs, binaryResponse, readInferBody } from "../v2-binary.ts";
import { outputTensors, requestedOutputs } from "../v2-outputs.ts";
import { readInferInputs, V2_DATATYPE } from "../v2-tensors.ts";
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
        405: { description: "wrong method (Allow lists the right one)", content: errJson },
        413: { description: "body too large, or more site-days than the limit", content: errJson },
        429: { description: "rate limit, with Retry-After", content: errJson },
        503: { description: "model not ready, queue full or shutting down", content: errJson },
      },
    });

  /**
   * Validate, admit (batch × time site-days, from the shape, before any tensor is read) and read a parsed body
   * into tensors; the parsed JSON is unreachable once this returns.
   */
  const prepare = (
    body: { json: unknown; binary: Uint8Array },
    model: ModelEntry,
    admit: (siteDays: number) => () => void,
  ) => {
    const parsed = v2InferRequestZ.safeParse(body.json);
    if (!parsed.success)
      throw zodHttpError(parsed.error, "see the Open Inference Protocol request format in /docs");
    const req = parsed.data;
    const shape = req.inputs.find((i) => i.name === "dynamic")?.shape ?? [];
    const release = admit((shape[0] ?? 1) * (shape[1] ?? 1));
    try {
      const x = readInferInputs(req, model.schema, deps.limits, binaryInputs(req.inputs, body.binary));
      const wanted = requestedOutputs(req, model.manifest.intervals);
      const rowD = x.time * x.dynamicCols;
      const rows: EncodedSite[] = Array.from({ length: x.batch }, (_, b) => ({
        id: undefined,
        days: [],
        firstDay: 0,
        rows: new Int32Array(0),
        dynamic: x.dynamic.subarray(b * rowD, (b + 1) * rowD),
        static: x.static.subarray(b * x.staticCols, (b + 1) * x.staticCols),
      }));
      return { id: req.id, batch: x.batch, time: x.time, rows, wanted, release };
    } catch (err) {
      release();
      throw err;
    }
  };

  const infer = async (c: Context<AppEnv>) => {
    const entry = pathModel(deps, c);
    const model = deps.resolve(entry.name, entry.version);
    const { id, batch, time, rows, wanted, release } = prepare(await readInferBody(c.req.raw), model, (n) =>
      deps.admit(c, n),
    );
    let out: Float32Array[];
    try {
      out = await deps.batcher(model).submit(rows, c.var.signal);
    } finally {
      release();
    }
    const data = new Float32Array(batch * time);
    out.forEach((row, b) => {
      data.set(row.subarray(0, time), b * time);
    });
    const head = {
      model_name: model.name,
      model_version: model.version,
      ...(id !== undefined ? { id } : {}),
    };
    const tensors = outputTensors(
      wanted.names,
      data,
      rows.map((r) => r.static),
      time,
      model.schema,
      model.manifest.intervals,
    );
    const outputs = wanted.names.map((name, k) => ({
      name,
      datatype: V2_DATATYPE,
      shape: [batch, time],
      ...(wanted.binary[k]
        ? { parameters: { binary_data_size: tensors[k]!.length * 4 } }
        : { data: Array.from(tensors[k]!) }),
    }));
    if (wanted.binary.some(Boolean))
      return binaryResponse(
        { ...head, outputs },
        tensors.filter((_, k) => wanted.binary[k]),
      );
    return c.json({ ...head, outputs });
  };
  app.post("/v2/models/:name/infer", infer);
  app.post("/v2/models/:name/versions/:version/infer", infer);
}
