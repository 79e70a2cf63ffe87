/** The training loss: masked, weighted squared error over a batch's supervised days. */
import * as tf from "@tensorflow/tfjs";

/**
 * Masked, weighted squared error: Σ w·(ŷ − y)² / #(w > 0). `w` is 0 where there is no target or no loss.
 * @param pred [n] predictions in target units
 */
export function maskedLoss(pred: tf.Tensor1D, y: tf.Tensor1D, w: tf.Tensor1D, supervised: number): tf.Scalar {
  return tf.tidy(
    () => tf.div(tf.sum(tf.mul(w, tf.square(tf.sub(pred, y)))), Math.max(1, supervised)) as tf.Scalar,
  );
}
