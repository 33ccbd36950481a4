/**
 * Alert quality for decision-support services (med-safety: CDS Hooks cards on a medication order).
 * The truth is whether the order has a clinically significant conflict (allergy or interaction);
 * the answer is whether the service alerted (the caller decides what counts as an alert, e.g. a
 * card with indicator `warning` or `critical`).
 *
 * | figure | definition | what it tells a committee |
 * | --- | --- | --- |
 * | sensitivity | alerted conflicts / conflicts | missed conflicts are patient harm |
 * | falseAlertRate | alerts on conflict-free orders / conflict-free orders | 1 − specificity: how often a safe order is interrupted; does not depend on prevalence |
 * | falseAlertShare | false alerts / alerts | 1 − PPV: the share of alerts clinicians learn to override (alert fatigue) |
 * | alertRate | alerts / orders | interruption burden |
 *
 * "False-alert rate" is used in both senses in the literature; clinsim keeps them apart by name.
 * A rate whose denominator is 0 is NaN (not available): sensitivity without any conflict, the
 * false-alert rate without any conflict-free order, the false-alert share without any alert.
 */
import type { Weights } from './ranked.ts';

/** 0/1 or boolean per order. */
export type Flags = Uint8Array | readonly (0 | 1 | boolean)[];

export interface AlertMetrics {
  readonly orders: number;
  readonly conflicts: number;
  readonly alerts: number;
  readonly truePositives: number;
  readonly falsePositives: number;
  readonly sensitivity: number;
  readonly falseAlertRate: number;
  readonly falseAlertShare: number;
  readonly alertRate: number;
}

/** Alert figures of `alerted` against the true `conflict` of each order. */
export function alertMetrics(alerted: Flags, conflict: Flags): AlertMetrics {
  return weightedAlertMetrics(alerted, conflict, undefined);
}

/** Alert figures with case weights (bootstrap counts); weights omitted: all 1. */
export function weightedAlertMetrics(alerted: Flags, conflict: Flags, w: Weights | undefined): AlertMetrics {
  if (alerted.length !== conflict.length) throw new RangeError(`alerts and truth differ in length (${alerted.length} vs ${conflict.length})`);
  let orders = 0;
  let conflicts = 0;
  let alerts = 0;
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < alerted.length; i++) {
    const wi = w === undefined ? 1 : w[i]!;
    const a = flag(alerted[i]!, i);
    const c = flag(conflict[i]!, i);
    orders += wi;
    if (c) conflicts += wi;
    if (a) {
      alerts += wi;
      if (c) tp += wi;
      else fp += wi;
    }
  }
  const negatives = orders - conflicts;
  return {
    orders,
    conflicts,
    alerts,
    truePositives: tp,
    falsePositives: fp,
    sensitivity: conflicts === 0 ? NaN : tp / conflicts,
    falseAlertRate: negatives === 0 ? NaN : fp / negatives,
    falseAlertShare: alerts === 0 ? NaN : fp / alerts,
    alertRate: orders === 0 ? NaN : alerts / orders,
  };
}

function flag(v: number | boolean, i: number): boolean {
  if (v === true || v === 1) return true;
  if (v === false || v === 0) return false;
  throw new RangeError(`flag ${i} is ${String(v)}, expected 0, 1 or a boolean`);
}
