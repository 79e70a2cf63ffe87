/** The network's architecture from a config and a fitted normaliser: one function for training, tests and export. */
import { ConfigError } from "../core/errors.ts";
import { hasMoisturePrior } from "../core/prior.ts";
import type { TrainConfig } from "./config.ts";
import type { Architecture, InputRef, PriorInputs } from "./model.ts";
import type { NormaliserFile } from "./run-dir.ts";

/** The normaliser statistics the architecture needs. */
export type NormaliserStats = Pick<NormaliserFile, "dynamic" | "static" | "targetScale">;

/**
 * Architecture of the network for a config: LSTM input width 2·(Dd + Ds), the head, and for the `q10` and `prior`
 * heads where their raw inputs sit in the LSTM input row.
 * @throws {ConfigError} if a head's required feature is not among the inputs
 */
export function buildArchitecture(config: TrainConfig, normaliser: NormaliserStats): Architecture {
  const Dd = config.features.dynamic.length;
  const Ds = normaliser.static.mean.length;
  const dyn = (name: string): InputRef => {
    const c = config.features.dynamic.indexOf(name);
    if (c < 0)
      throw new ConfigError(`model.head "${config.model.head}" needs ${name} among features.dynamic`);
    return { value: c, mask: Dd + c, mean: normaliser.dynamic.mean[c]!, std: normaliser.dynamic.std[c]! };
  };
  const st = (name: string): InputRef => {
    const j = config.features.static.indexOf(name);
    if (j < 0) throw new ConfigError(`model.head "${config.model.head}" needs ${name} among features.static`);
    return {
      value: 2 * Dd + j,
      mask: 2 * Dd + Ds + j,
      mean: normaliser.static.mean[j]!,
      std: normaliser.static.std[j]!,
    };
  };
  const arch: Architecture = {
    type: "lstm-softplus",
    hidden: config.model.hidden,
    inputWidth: 2 * (Dd + Ds),
    dynamicCols: Dd,
    staticCols: Ds,
    head: config.model.head,
  };
  if (config.model.head === "q10") {
    const t = dyn("tsoil_mean");
    arch.temperature = { column: t.value, mean: t.mean, std: t.std };
  }
  if (config.model.head === "prior") {
    const prior: PriorInputs = {
      tsoil: dyn("tsoil_mean"),
      fluxRef: st("flux_ref"),
      fluxQ10: st("flux_q10"),
      tsoilRef: st("tsoil_ref"),
      targetScale: normaliser.targetScale,
    };
    if (hasMoisturePrior(config.features.dynamic, config.features.static)) {
      prior.moisture = {
        swc: dyn("swc_mean"),
        swcRef: st("swc_ref"),
        c1: st("flux_swc_c1"),
        c2: st("flux_swc_c2"),
      };
    }
    arch.prior = prior;
  }
  return arch;
}

/** Inputs each head needs, checked when the config is parsed. */
export const HEAD_NEEDS: Record<string, { dynamic: string[]; static: string[] }> = {
  softplus: { dynamic: [], static: [] },
  q10: { dynamic: ["tsoil_mean"], static: [] },
  prior: { dynamic: ["tsoil_mean"], static: ["flux_ref", "flux_q10", "tsoil_ref"] },
};
