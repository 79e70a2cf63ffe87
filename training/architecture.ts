/** The network's architecture from a config and a fitted normaliser: one function for training, tests and export. */
import { ConfigError } from "../core/errors.ts";
import { inputLayout } from "../core/input-layout.ts";
import { type InputRef, PRIOR_FEATURES } from "../heads/prior-head.ts";
import type { TrainConfig } from "./config.ts";
import type { Architecture } from "./model.ts";
import type { NormaliserFile } from "./run-dir.ts";

/** The normaliser statistics the architecture needs. */
export type NormaliserStats = Pick<NormaliserFile, "dynamic" | "static" | "targetScale">;

/**
 * Architecture of the network for a config: LSTM input width 2·(Dd + Ds) (core/input-layout.ts), and where the
 * head's prior finds its raw inputs in the LSTM input row.
 * @throws {ConfigError} if an input of the prior is not among the features
 */
export function buildArchitecture(config: TrainConfig, normaliser: NormaliserStats): Architecture {
  const { dynamic, static: statics } = config.features;
  const layout = inputLayout(dynamic.length, normaliser.static.mean.length);
  const column = (block: "dynamic" | "static", name: string): number => {
    const i = (block === "dynamic" ? dynamic : statics).indexOf(name);
    if (i < 0) throw new ConfigError(`the network's prior needs ${name} among features.${block}`);
    return i;
  };
  const dyn = (name: string): InputRef => {
    const c = column("dynamic", name);
    const { mean, std } = normaliser.dynamic;
    return { value: layout.dynamicValue(c), mask: layout.dynamicMask(c), mean: mean[c]!, std: std[c]! };
  };
  const st = (name: string): InputRef => {
    const j = column("static", name);
    const { mean, std } = normaliser.static;
    return { value: layout.staticValue(j), mask: layout.staticMask(j), mean: mean[j]!, std: std[j]! };
  };
  return {
    type: "lstm-softplus",
    hidden: config.model.hidden,
    inputWidth: layout.width,
    dynamicCols: layout.dynamicCols,
    staticCols: layout.staticCols,
    head: "prior",
    prior: {
      tsoil: dyn(PRIOR_FEATURES.tsoil),
      fluxRef: st(PRIOR_FEATURES.fluxRef),
      fluxQ10: st(PRIOR_FEATURES.fluxQ10),
      tsoilRef: st(PRIOR_FEATURES.tsoilRef),
      targetScale: normaliser.targetScale,
    },
  };
}
