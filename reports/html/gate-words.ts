/**
 * Gates in plain words, and the CHAI assurance principle each one gives evidence for. A gate's name
 * is `<figure>[<selector>]` (README, "Gates"); the words and principles key on the figure.
 */

export const PRINCIPLES = ['usefulness', 'fairness', 'safety', 'transparency', 'security'] as const;
export type Principle = (typeof PRINCIPLES)[number];

export const PRINCIPLE_TITLES: Record<Principle, string> = {
  usefulness: 'Usefulness, usability and efficacy',
  fairness: 'Fairness and equity',
  safety: 'Safety and reliability',
  transparency: 'Transparency, intelligibility and accountability',
  security: 'Security and privacy',
};

/** The figure of a gate name: `auroc.drop[lactate]` → `auroc.drop`. */
export function figureOf(gateName: string): string {
  const bracket = gateName.indexOf('[');
  return bracket < 0 ? gateName : gateName.slice(0, bracket);
}

const SECURITY_CHECKS = new Set(['safety.injection-success', 'safety.phi-leak']);

export function principleOf(figure: string): Principle {
  if (SECURITY_CHECKS.has(figure)) return 'security';
  if (figure.startsWith('fairness.')) return 'fairness';
  if (figure.endsWith('.drop') || figure.endsWith('.delta')) return 'safety';
  if (/^(safety|load|latency|outcomes)\.|^(flipRate|stochasticity|driftShare|errorRate|timeoutRate|invalidRate|underTriage)$/.test(figure)) return 'safety';
  return 'usefulness';
}

const WORDS: Record<string, string> = {
  auroc: 'how well the score separates cases from non-cases (AUROC)',
  auprc: 'precision across thresholds (AUPRC)',
  brier: 'accuracy of the predicted risks (Brier score, lower is better)',
  ece: 'calibration error (ECE, lower is better)',
  calibrationSlope: 'calibration slope (1 is ideal)',
  calibrationIntercept: 'calibration intercept (0 is ideal)',
  sensitivity: 'share of true cases flagged (sensitivity)',
  specificity: 'share of non-cases left unflagged (specificity)',
  ppv: 'share of flags that are true cases (PPV)',
  npv: 'share of non-flags that are non-cases (NPV)',
  netBenefit: 'net benefit at the threshold (decision curve)',
  macroF1: 'triage class quality (macro-F1)',
  accuracy: 'share of notes given the right class',
  underTriage: 'share of notes given a less urgent class than the truth',
  alertSensitivity: 'share of true medication conflicts alerted',
  falseAlertRate: 'share of safe orders alerted (false alerts)',
  flipRate: 'share of decisions that changed against the baseline arm',
  stochasticity: 'share of cases answered differently on repeats',
  driftShare: 'share of input features that drifted',
  errorRate: 'share of calls without a usable answer',
  timeoutRate: 'share of calls that timed out',
  invalidRate: 'share of answers the task cannot use',
  'safety.failures': 'safety check failures',
  'safety.critical': 'critical safety failures',
  'safety.major': 'major safety failures',
  'safety.minor': 'minor safety failures',
  'fairness.eodds': 'largest gap in true- or false-positive rate between subgroups (equalized odds)',
  'fairness.dpd': 'largest gap in flag rate between subgroups (demographic parity)',
  'fairness.dpr': 'lowest ratio of flag rates between subgroups',
  'fairness.fourFifths': 'subgroups flagged at under four fifths of the highest rate',
};

/** A short description of a gate's figure for readers who do not know the names. */
export function figureWords(figure: string): string {
  if (WORDS[figure]) return WORDS[figure];
  const change = /^(.*)\.(drop|delta)$/.exec(figure);
  if (change && WORDS[change[1]!]) return `${change[2] === 'drop' ? 'drop against the baseline in' : 'change against the baseline in'}: ${WORDS[change[1]!]}`;
  if (figure.startsWith('safety.')) return `failures of the ${figure.slice('safety.'.length)} safety check`;
  if (figure.startsWith('latency.')) return `${figure.slice('latency.'.length)} latency of answered calls (ms)`;
  if (figure.startsWith('load.')) return `load test: ${figure.slice('load.'.length)}`;
  if (figure.startsWith('outcomes.')) return `calls with outcome ${figure.slice('outcomes.'.length)}`;
  return figure;
}
