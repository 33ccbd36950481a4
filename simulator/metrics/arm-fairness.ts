/**
 * Group fairness of one arm (report.json `fairness`), per subgroup attribute of the journal's
 * `group` (sex, ageBand, race, ethnicity), with fairness.ts (Fairlearn's definitions, groups under
 * 30 calls reported but not judged).
 *
 * What "selected" and "positive" mean depends on the task's decision: sepsis, a flag (score >=
 * threshold) against the 0/1 label; med-safety, an alert against a true conflict; note-triage, an
 * answer of the most urgent class (emergent) against a truly emergent note. The sample is the
 * answered calls with a truth, like every other figure of the arm (with repeats, each repeat is a
 * call). AUROC per group is added where the answers carry a score.
 */
import { NONE, DECISION_CLASSES, type ArmAccumulator } from './arm-accumulator.ts';
import { auroc } from './auroc.ts';
import { fairness, type FairnessReport as Computed } from './fairness.ts';
import { FAIRNESS_ATTRIBUTES, type AttributeFairness, type FairnessReport } from './report-types.ts';
import type { TaskName } from '../case.ts';

const nullIfNaN = (x: number): number | null => (Number.isFinite(x) ? x : null);

function describeDecision(task: TaskName, threshold: number): string {
  const classes = DECISION_CLASSES[task];
  if (classes) return `selected = answered "${classes[0]}"; positive = true class "${classes[0]}"`;
  if (task === 'med-safety') return 'selected = alerted (a warning or critical card, or label 1); positive = a true conflict (label 1)';
  return `selected = score >= ${threshold}; positive = label 1`;
}

function attributeReport(computed: Computed, scored: boolean): AttributeFairness {
  return {
    groups: computed.groups.map((g) => ({
      group: g.group,
      n: g.n,
      positives: g.positives,
      negatives: g.negatives,
      selectionRate: nullIfNaN(g.selectionRate),
      tpr: nullIfNaN(g.tpr),
      fpr: nullIfNaN(g.fpr),
      auroc: scored ? nullIfNaN(g.metrics.auroc!) : null,
      judged: g.judged,
    })),
    demographicParityDifference: nullIfNaN(computed.demographicParity.difference),
    demographicParityRatio: nullIfNaN(computed.demographicParity.ratio),
    equalizedOddsDifference: nullIfNaN(computed.equalizedOddsDifference),
    equalizedOddsRatio: nullIfNaN(computed.equalizedOddsRatio),
    equalOpportunityDifference: nullIfNaN(computed.equalOpportunityDifference),
    aurocDifference: scored ? nullIfNaN(computed.metrics.auroc!.difference) : null,
    fourFifthsViolated: computed.fourFifthsViolated,
  };
}

/** Fairness of an arm's decisions; null when no answered call has a truth. */
export function armFairness(acc: ArmAccumulator, task: TaskName, threshold: number, minGroupSize = 30): FairnessReport | null {
  const classTask = DECISION_CLASSES[task] !== null;
  const truth = classTask ? acc.truthClasses : acc.truthLabels;
  const slots: number[] = [];
  for (let s = 0; s < acc.decisions.length; s++) if (acc.decisions[s] !== NONE && truth[s] !== NONE) slots.push(s);
  if (slots.length === 0) return null;
  // Class tasks: index 0 is the most urgent class, the one that is "selected" / "positive".
  const decisions = Uint8Array.from(slots, (s) => (classTask ? (acc.decisions[s] === 0 ? 1 : 0) : acc.decisions[s]!));
  const labels = Uint8Array.from(slots, (s) => (classTask ? (truth[s] === 0 ? 1 : 0) : truth[s]!));
  const scores = Float64Array.from(slots, (s) => acc.scores[s]!);
  const scored = scores.every((x) => !Number.isNaN(x));
  const metrics = scored
    ? {
        auroc: (indices: Uint32Array) =>
          auroc(
            Float64Array.from(indices, (i) => scores[i]!),
            Uint8Array.from(indices, (i) => labels[i]!),
          ),
      }
    : undefined;
  const attributes = {} as Record<(typeof FAIRNESS_ATTRIBUTES)[number], AttributeFairness>;
  for (const attribute of FAIRNESS_ATTRIBUTES) {
    const names = acc.groupNames[attribute];
    const ofCase = acc.groups[attribute];
    const groups = slots.map((s) => names[ofCase[Math.floor(s / acc.repeats)]!]!);
    attributes[attribute] = attributeReport(fairness(groups, labels, decisions, { minGroupSize, ...(metrics ? { metrics } : {}) }), scored);
  }
  return { minGroupSize, decision: describeDecision(task, threshold), attributes };
}
