/**
 * Brier score: the mean squared difference between the predicted probability and the 0/1 outcome
 * (lower is better; 0.25 is what a constant 0.5 scores). Same definition as scikit-learn's
 * `brier_score_loss` for binary labels with positive class 1.
 */
import { checkBinaryInput, type Labels, type Scores } from './ranked.ts';

/**
 * Brier score of `scores` against `labels`. Scores are used as given: checking that they are
 * probabilities in [0, 1] is the caller's job (a model answering 1.3 is an invalid outcome, not a
 * metric input). The sum is compensated (Neumaier) so the result does not depend on case order
 * beyond the last bit and agrees with numpy's pairwise mean to well within 1e-12.
 * An empty sample gives NaN.
 */
export function brier(scores: Scores, labels: Labels): number {
  checkBinaryInput(scores, labels);
  const n = scores.length;
  if (n === 0) return NaN;
  let sum = 0;
  let compensation = 0;
  for (let i = 0; i < n; i++) {
    const d = scores[i]! - labels[i]!;
    const term = d * d;
    const t = sum + term;
    compensation += Math.abs(sum) >= term ? sum - t + term : term - t + sum;
    sum = t;
  }
  return (sum + compensation) / n;
}
