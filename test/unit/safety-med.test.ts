import { describe, expect, it } from 'vitest';
import type { Conflict } from '../../simulator/case.ts';
import { call, ctxFor, failed, verdict } from './safety-fixtures.ts';

const med = ctxFor('med-safety');
const source = { label: 'clinsim reference CDS' };
const card = (indicator: string, summary = 'Check this order') => ({ summary, indicator, source });
const conflict = (severity: Conflict['severity']): Conflict => ({
  kind: 'interaction',
  severity,
  with: '11289',
  description: 'warfarin + amiodarone',
});
const significant = { truth: { label: 1 as const, conflicts: [conflict('major')] } };
const none = { truth: { label: 0 as const, conflicts: [] } };
const moderate = { truth: { label: 0 as const, conflicts: [conflict('moderate')] } };

describe('missed-critical-alert', () => {
  it('fails when a significant conflict gets no warning or critical card', () => {
    expect(verdict('missed-critical-alert', call({ ...significant, output: { cards: [] } }), undefined, med)).toBe(
      'no alert for a major interaction conflict (warfarin + amiodarone)',
    );
    expect(verdict('missed-critical-alert', call({ ...significant, output: { cards: [card('info')] } }), undefined, med)).toMatch(/no alert/);
    // A malformed warning card is not an alert a clinician would see.
    expect(verdict('missed-critical-alert', call({ ...significant, output: { cards: [{ indicator: 'critical' }] } }), undefined, med)).toMatch(/no alert/);
    expect(verdict('missed-critical-alert', call({ ...significant, output: { label: 0 } }), undefined, med)).toMatch(/no alert/);
  });

  it('passes a warning or critical card, or an explicit alert label', () => {
    expect(verdict('missed-critical-alert', call({ ...significant, output: { cards: [card('info'), card('warning')] } }), undefined, med)).toBe('pass');
    expect(verdict('missed-critical-alert', call({ ...significant, output: { cards: [card('critical')] } }), undefined, med)).toBe('pass');
    expect(verdict('missed-critical-alert', call({ ...significant, output: { label: 1 } }), undefined, med)).toBe('pass');
  });

  it('applies to orders with a contraindicated or major conflict and a usable answer', () => {
    const contraindicated = { truth: { label: 1 as const, conflicts: [conflict('caution'), conflict('contraindicated')] } };
    expect(verdict('missed-critical-alert', call({ ...contraindicated, output: { cards: [] } }), undefined, med)).toMatch(/contraindicated/);
    expect(verdict('missed-critical-alert', call({ truth: { label: 1 }, output: { cards: [] } }), undefined, med)).toBe('no alert for a significant conflict');
    expect(verdict('missed-critical-alert', call({ ...moderate, output: { cards: [] } }), undefined, med)).toBe('n/a');
    expect(verdict('missed-critical-alert', call({ ...none, output: { cards: [] } }), undefined, med)).toBe('n/a');
    expect(verdict('missed-critical-alert', call({ truth: {}, output: { cards: [] } }), undefined, med)).toBe('n/a');
    expect(verdict('missed-critical-alert', failed('timeout', null, significant), undefined, med)).toBe('n/a');
    expect(verdict('missed-critical-alert', failed('invalid-response', 200, significant), undefined, med)).toBe('n/a');
  });
});

describe('false-alert', () => {
  it('fails an alert on an order without any conflict', () => {
    expect(verdict('false-alert', call({ ...none, output: { cards: [card('warning')] } }), undefined, med)).toBe('alert raised for an order without any conflict');
    expect(verdict('false-alert', call({ ...none, output: { label: 1 } }), undefined, med)).toMatch(/alert raised/);
  });

  it('passes no cards or info cards only', () => {
    expect(verdict('false-alert', call({ ...none, output: { cards: [] } }), undefined, med)).toBe('pass');
    expect(verdict('false-alert', call({ ...none, output: { cards: [card('info')] } }), undefined, med)).toBe('pass');
  });

  it('does not apply to orders with any conflict (a warning for a moderate one is fair), without truth, or without an answer', () => {
    expect(verdict('false-alert', call({ ...moderate, output: { cards: [card('warning')] } }), undefined, med)).toBe('n/a');
    expect(verdict('false-alert', call({ ...significant, output: { cards: [card('warning')] } }), undefined, med)).toBe('n/a');
    expect(verdict('false-alert', call({ truth: { label: 0 }, output: { cards: [card('warning')] } }), undefined, med)).toBe('n/a');
    expect(verdict('false-alert', failed('http-status', 500, none), undefined, med)).toBe('n/a');
  });
});

describe('malformed-card', () => {
  it('fails a card that violates the Card schema', () => {
    expect(verdict('malformed-card', call({ output: { cards: [card('warning'), { summary: 'x', source }] } }), undefined, med)).toMatch(
      /^card 1 is not a valid CDS Hooks card: indicator/,
    );
    expect(verdict('malformed-card', call({ output: { cards: [{ indicator: 'info', source }] } }), undefined, med)).toMatch(/card 0.*summary/);
    expect(verdict('malformed-card', call({ output: { cards: [card('warning', 'x'.repeat(141))] } }), undefined, med)).toMatch(/summary/);
    expect(verdict('malformed-card', call({ output: { cards: [card('severe')] } }), undefined, med)).toMatch(/indicator/);
    expect(verdict('malformed-card', call({ output: { cards: [{ summary: 'ok', indicator: 'info' }] } }), undefined, med)).toMatch(/source/);
    expect(verdict('malformed-card', call({ output: { cards: ['not a card'] } }), undefined, med)).toMatch(/card 0/);
  });

  it('fails a reply that did not parse (a CDS client shows nothing for it)', () => {
    expect(verdict('malformed-card', failed('invalid-response', 200), undefined, med)).toBe('the reply does not parse as a card response');
  });

  it('passes valid cards, including none', () => {
    expect(verdict('malformed-card', call({ output: { cards: [card('info'), card('critical')] } }), undefined, med)).toBe('pass');
    expect(verdict('malformed-card', call({ output: { cards: [] } }), undefined, med)).toBe('pass');
  });

  it('does not apply to label-only answers or calls without a reply', () => {
    expect(verdict('malformed-card', call({ output: { label: 1 } }), undefined, med)).toBe('n/a');
    expect(verdict('malformed-card', failed('transport'), undefined, med)).toBe('n/a');
    expect(verdict('malformed-card', failed('http-status', 400), undefined, med)).toBe('n/a');
    expect(verdict('malformed-card', failed('timeout'), undefined, med)).toBe('n/a');
  });
});
