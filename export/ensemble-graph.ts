/** A seed ensemble as one ONNX graph: every member's network on the same inputs, efflux = the mean of their outputs. */
import type { ModelSchema } from "../core/model-schema.ts";
import { INPUT_DYNAMIC, INPUT_STATIC, OUTPUT_EFFLUX } from "../model/graph-contract.ts";
import type { GraphProto, NodeProto } from "../model/onnx-codec.ts";
import { buildGraph } from "./build-graph.ts";
import type { NetworkWeights } from "./network-weights.ts";

/** Names every member shares: the graph inputs, and "" (an omitted optional input). */
const SHARED = new Set(["", INPUT_DYNAMIC, INPUT_STATIC]);

/** The member graph with every internal name (nodes, values, initializers) prefixed, so members can sit side by side. */
function prefixed(graph: GraphProto, prefix: string): GraphProto {
  const rename = (n: string | null | undefined) => (SHARED.has(n ?? "") ? (n ?? "") : `${prefix}${n}`);
  return {
    ...graph,
    node: graph.node?.map(
      (n): NodeProto => ({
        ...n,
        name: rename(n.name ?? n.output?.[0] ?? ""),
        input: n.input?.map(rename),
        output: n.output?.map(rename),
      }),
    ),
    initializer: graph.initializer?.map((t) => ({ ...t, name: rename(t.name) })),
    output: graph.output?.map((o) => ({ ...o, name: rename(o.name) })),
  };
}

/**
 * The model graph for one network ({@link buildGraph}) or a seed ensemble of several: member k's graph with its names
 * prefixed `m<k>_`, all reading the same `dynamic` and `static` inputs, and `efflux` = Mean(m0_efflux, m1_efflux, …)
 * [batch, time]. Each member keeps its own copy of the in-graph normalisation (the same schema, so the same values).
 * @param members the networks, at least one, all fitting `schema`
 */
export function buildEnsembleGraph(schema: ModelSchema, members: readonly NetworkWeights[]): GraphProto {
  if (members.length === 0) throw new Error("an ensemble needs at least one member");
  if (members.length === 1) return buildGraph(schema, members[0]!);
  const graphs = members.map((w, k) => prefixed(buildGraph(schema, w), `m${k}_`));
  const first = graphs[0]!;
  return {
    ...first,
    name: "soilco2_lstm_ensemble",
    node: [
      ...graphs.flatMap((g) => g.node ?? []),
      {
        op_type: "Mean",
        name: OUTPUT_EFFLUX,
        input: graphs.map((g) => g.output?.[0]?.name ?? ""),
        output: [OUTPUT_EFFLUX],
        attribute: [],
        doc_string: `mean of the ${members.length} ensemble members' efflux`,
      },
    ],
    initializer: graphs.flatMap((g) => g.initializer ?? []),
    input: first.input,
    output: [{ ...first.output?.[0], name: OUTPUT_EFFLUX }],
  };
}
