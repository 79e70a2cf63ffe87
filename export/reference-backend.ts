/** Pick the tfjs backend for the reference forward pass: `selectBackend()`, or cpu if that backend cannot run the network at inference. */
import * as tf from "@tensorflow/tfjs";
import { type BackendChoice, selectBackend } from "../training/backend.ts";
import { type Architecture, forward } from "../training/model.ts";

/** The backend chosen, and why a faster one was left (e.g. tfjs-wasm's fused matMul refusing a rank-2 bias). */
export interface ReferenceBackend {
  name: string;
  note: string | null;
}

/** Run training/model.ts forward once on a 1-day, 1-unit toy network; throws what the backend throws. */
function probeForward(): void {
  tf.tidy(() => {
    const v = (x: tf.Tensor) => tf.variable(x, false);
    const p = {
      lstm: {
        kernel: v(tf.ones([2, 4])) as tf.Variable<tf.Rank.R2>,
        recurrentKernel: v(tf.ones([1, 4])) as tf.Variable<tf.Rank.R2>,
        bias: v(tf.zeros([4])) as tf.Variable<tf.Rank.R1>,
      },
      headKernel: v(tf.ones([1, 1])) as tf.Variable<tf.Rank.R2>,
      headBias: v(tf.zeros([1])) as tf.Variable<tf.Rank.R1>,
    };
    try {
      // every input of the prior on the one driver's value and mask columns: only the LSTM's call matters here
      const ref = { value: 0, mask: 1, mean: 0, std: 1 };
      const arch: Architecture = {
        type: "lstm-softplus",
        hidden: 1,
        inputWidth: 2,
        dynamicCols: 1,
        staticCols: 0,
        head: "prior",
        prior: { tsoil: ref, fluxRef: ref, fluxQ10: ref, tsoilRef: ref, targetScale: 1 },
      };
      forward(p, arch, { data: new Float32Array([1, 0, 2, 0]), time: 1, batch: 2, input: 2 }).dataSync();
    } finally {
      for (const x of [p.lstm.kernel, p.lstm.recurrentKernel, p.lstm.bias, p.headKernel, p.headBias])
        x.dispose();
    }
  });
}

/**
 * Select the fastest backend that runs the network's forward pass outside training.
 * (At gradient depth 0 training/lstm.ts calls fused matMul with a [batch, 4H] bias, which tfjs-backend-wasm 4.22
 * refuses; the cpu backend computes the same maths.)
 * @example const { name, note } = await selectReferenceBackend();
 */
export async function selectReferenceBackend(): Promise<ReferenceBackend> {
  const choice: BackendChoice = await selectBackend();
  try {
    probeForward();
    return { name: choice.name, note: null };
  } catch (err) {
    if (choice.name === "cpu") throw err;
    await selectBackend("cpu");
    return {
      name: "cpu",
      note: `${choice.name} backend cannot run the forward pass at inference (${(err as Error).message.split("\n")[0]})`,
    };
  }
}
