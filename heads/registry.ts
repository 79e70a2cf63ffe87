/** The network's output heads by name (`Architecture.head`): how training (tfjs) and export (ONNX) find a head's parts; one entry today, the Q10-prior head. */
import type * as tf from "@tensorflow/tfjs";
import type { InputLayout } from "../core/input-layout.ts";
import type { NodeProto, TensorProto } from "../model/onnx-codec.ts";
import type { TimeMajorInput } from "../training/lstm.ts";
import type { Architecture, ModelParams } from "../training/model.ts";
import { applyHead, PRIOR_HEAD_DESCRIPTION, PRIOR_NEEDS, priorHeadGraph, priorTerm } from "./prior-head.ts";

/** What a head is made of; training and export use nothing else of it. */
export interface OutputHead {
  /** The features the head reads raw, checked when a config is parsed. */
  needs: { dynamic: readonly string[]; static: readonly string[] };
  /** One sentence for the model card. */
  description: string;
  /** The head's per-row term from the raw inputs, [time·batch] (computed outside the gradient). */
  term(arch: Architecture, x: TimeMajorInput): Float32Array;
  /** Hidden states [rows, H] and the term [rows] to the output in target-scale units [rows] (tfjs). */
  apply(p: ModelParams, h: tf.Tensor2D, term: Float32Array): tf.Tensor1D;
  /** The same computation as ONNX nodes, from `head_z` [B,T,1] to `efflux` [B,T]. */
  graph(arch: Architecture, layout: InputLayout): { nodes: NodeProto[]; initializer: TensorProto[] };
}

/** Every head, by the name saved in `Architecture.head`. A new head is a module beside prior-head.ts and a line here. */
export const HEADS: Readonly<Record<Architecture["head"], OutputHead>> = {
  prior: {
    needs: PRIOR_NEEDS,
    description: PRIOR_HEAD_DESCRIPTION,
    term: priorTerm,
    apply: applyHead,
    graph: priorHeadGraph,
  },
};

/** The head of an architecture. */
export function headOf(arch: Pick<Architecture, "head">): OutputHead {
  return HEADS[arch.head];
}
