/** Choose the execution provider at start: CUDA when onnxruntime-node has it and a GPU is present, else CPU. */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type * as ortCommon from "onnxruntime-common";
import { createOrtPredictor, type OrtPredictor, type OrtRuntime } from "../../model/ort-predict.ts";

/** What the operator asked for: `auto` tries CUDA and falls back to CPU; `cuda` fails without it. */
export type ProviderChoice = "auto" | "cpu" | "cuda";

/** The part of onnxruntime-node this needs. */
export interface NodeOrt extends OrtRuntime {
  listSupportedBackends?: () => { name: string; bundled: boolean }[];
}

/** A session on the chosen provider, and why that one. */
export interface ProviderSession {
  predictor: OrtPredictor;
  provider: "cuda" | "cpu";
  reason: string;
}

/** True when an NVIDIA driver is loaded (`/proc/driver/nvidia/version` or `/dev/nvidiactl`). */
export function nvidiaGpuPresent(): boolean {
  return existsSync("/proc/driver/nvidia/version") || existsSync("/dev/nvidiactl");
}

/**
 * True when onnxruntime-node lists the CUDA backend and its provider library was installed
 * (`npm ci --onnxruntime-node-install=cuda12`); the default install skips it.
 */
export function cudaProviderInstalled(ort: NodeOrt): boolean {
  if (!ort.listSupportedBackends?.().some((b) => b.name === "cuda")) return false;
  try {
    const binDir = join(
      dirname(createRequire(import.meta.url).resolve("onnxruntime-node")),
      "..",
      "bin",
      "napi-v6",
      process.platform,
      process.arch,
    );
    return existsSync(join(binDir, "libonnxruntime_providers_cuda.so"));
  } catch {
    return false;
  }
}

/**
 * Create the one session of a model version on the provider `choice` allows: with `auto`, CUDA (`['cuda', 'cpu']`)
 * when a GPU is present and the CUDA provider is installed, falling back to `['cpu']` if that session fails.
 * @throws {Error} when `choice` is `cuda` and CUDA cannot be used
 */
export async function createProviderSession(
  ort: NodeOrt,
  modelBytes: Uint8Array,
  choice: ProviderChoice,
  sessionOptions: ortCommon.InferenceSession.SessionOptions = {},
): Promise<ProviderSession> {
  const cpu = async (reason: string): Promise<ProviderSession> => ({
    predictor: await createOrtPredictor(ort, modelBytes, { ...sessionOptions, executionProviders: ["cpu"] }),
    provider: "cpu",
    reason,
  });
  if (choice === "cpu") return cpu("--provider cpu");
  const gpu = nvidiaGpuPresent();
  const installed = cudaProviderInstalled(ort);
  if (!gpu || !installed) {
    const why = !gpu
      ? "no NVIDIA GPU found"
      : "the onnxruntime-node CUDA provider is not installed (npm ci --onnxruntime-node-install=cuda12)";
    if (choice === "cuda") throw new Error(`--provider cuda: ${why}`);
    return cpu(why);
  }
  try {
    const predictor = await createOrtPredictor(ort, modelBytes, {
      ...sessionOptions,
      executionProviders: ["cuda", "cpu"],
    });
    return { predictor, provider: "cuda", reason: "NVIDIA GPU and CUDA provider found" };
  } catch (err) {
    const why = `CUDA session failed: ${err instanceof Error ? err.message : String(err)}`;
    if (choice === "cuda") throw new Error(`--provider cuda: ${why}`);
    return cpu(why);
  }
}
