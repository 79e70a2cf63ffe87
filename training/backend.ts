/** Pick the fastest TensorFlow.js backend that loads here: tensorflow (tfjs-node), then wasm, then cpu. */
import { createRequire } from "node:module";
import * as tf from "@tensorflow/tfjs";

export type BackendName = "tensorflow" | "wasm" | "cpu";

/** The order backends are tried in. */
export const BACKEND_ORDER: readonly BackendName[] = ["tensorflow", "wasm", "cpu"];

/** Outcome of backend selection: the chosen backend and why the faster ones were skipped. */
export interface BackendChoice {
  name: BackendName;
  skipped: { name: BackendName; reason: string }[];
}

const require = createRequire(import.meta.url);

/**
 * tfjs's cpu backend prints a "Hi, looks like you are running TensorFlow.js in Node.js ... install our node
 * backend" banner on its first tensor, once per process; {@link describeBackend}'s line already says which backend
 * runs and why tensorflow was skipped, so the banner is switched off here (the backend's own `firstUse` flag).
 */
export function silenceCpuBanner(): void {
  tf.backend(); // initialises the registered backends once (each later lookup reuses these instances)
  const cpu = tf.findBackend("cpu") as { firstUse?: boolean } | null;
  if (cpu) cpu.firstUse = false;
}
silenceCpuBanner();

async function tryLoad(name: BackendName): Promise<void> {
  if (name === "tensorflow") {
    // tfjs-node is an optional dependency whose install downloads libtensorflow; absent offline.
    require("@tensorflow/tfjs-node");
  } else if (name === "wasm") {
    await import("@tensorflow/tfjs-backend-wasm");
  }
  if (!(await tf.setBackend(name))) throw new Error(`tf.setBackend("${name}") returned false`);
  await tf.ready();
}

/**
 * Select a backend. `prefer` forces one (and fails if it does not load); otherwise the first that loads wins.
 * @example const { name } = await selectBackend(); console.log(`tfjs backend: ${name}`)
 */
export async function selectBackend(prefer?: BackendName): Promise<BackendChoice> {
  const order = prefer ? [prefer] : BACKEND_ORDER;
  const skipped: BackendChoice["skipped"] = [];
  for (const name of order) {
    try {
      await tryLoad(name);
      return { name, skipped };
    } catch (err) {
      skipped.push({ name, reason: (err as Error).message.split("\n")[0] ?? String(err) });
    }
  }
  throw new Error(
    `no TensorFlow.js backend could be loaded: ${skipped.map((s) => `${s.name}: ${s.reason}`).join("; ")}`,
  );
}

/** One line for the terminal, e.g. `tfjs backend: wasm (skipped tensorflow: Cannot find module ...)`. */
export function describeBackend(choice: BackendChoice): string {
  const skipped = choice.skipped.map((s) => `${s.name}: ${s.reason.slice(0, 80)}`).join("; ");
  return `tfjs backend: ${choice.name}${skipped ? ` (skipped ${skipped})` : ""}`;
}
