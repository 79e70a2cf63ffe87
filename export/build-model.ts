/** The complete ONNX ModelProto: the graph, pinned opset and IR versions, producer, doc string and metadata. */
import type { ModelSchema } from "../core/model-schema.ts";
import { IR_VERSION, OPSET_VERSION } from "../model/graph-contract.ts";
import { type ModelMetadata, metadataProps } from "../model/model-metadata.ts";
import type { ModelProto } from "../model/onnx-codec.ts";
import { buildEnsembleGraph } from "./ensemble-graph.ts";
import type { NetworkWeights } from "./network-weights.ts";

/** `producer_name` of every model soilco2 writes. */
export const PRODUCER_NAME = "soilco2";

/**
 * Assemble the model. The output is a function of its arguments only (no clock), so the same run exports to the
 * same bytes.
 * @param members the network, or the networks of a seed ensemble (output = their mean)
 * @param producerVersion soilco2 package version
 */
export function buildModel(
  schema: ModelSchema,
  members: readonly NetworkWeights[],
  meta: Omit<ModelMetadata, "schema">,
  producerVersion: string,
): ModelProto {
  const dyn = schema.dynamic.map((f) => f.name).join(", ");
  const hidden = members[0]!.hidden;
  const network =
    members.length === 1
      ? `an LSTM (${hidden} units)`
      : `the mean of a seed ensemble of ${members.length} LSTMs (${hidden} units each)`;
  return {
    ir_version: IR_VERSION,
    opset_import: [{ domain: "", version: OPSET_VERSION }],
    producer_name: PRODUCER_NAME,
    producer_version: producerVersion,
    domain: "org.soilco2",
    model_version: 1,
    doc_string:
      `${meta.name} ${meta.version}: ${schema.target.description} [${schema.target.unit}] per day, ` +
      `from daily drivers (${dyn}) and site attributes, by ${network}. ` +
      `Inputs are in physical units with NaN for gaps; normalisation is inside the graph. ` +
      `The first ${schema.warmupDays} days of a series spin up the LSTM state and are less reliable. ` +
      `Metadata key soilco2.schema holds the full input schema.`,
    graph: buildEnsembleGraph(schema, members),
    metadata_props: metadataProps({ schema, ...meta }),
  };
}
