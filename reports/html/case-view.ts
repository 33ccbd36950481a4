/**
 * One failed case as a reader needs it: why it failed, the truth, the model's answer, and the input
 * with what the perturbation changed. Notes, answers and error texts are untrusted: all of it goes
 * through the `html` template as text.
 */
import type { Truth } from '../../simulator/case.ts';
import type { Prediction } from '../../adapters/adapter.ts';
import type { CaseInput } from '../../simulator/metrics/case-input.ts';
import type { ShownCase } from '../../simulator/metrics/report-details.ts';
import { num } from '../format.ts';
import { html, type Html } from './escape.ts';
import { table } from './table.ts';

const ANSWER_CHARS = 1500;
const clip = (text: string, max = ANSWER_CHARS): string => (text.length > max ? `${text.slice(0, max)}… (${text.length} characters)` : text);

function truthText(truth: Truth): string {
  const parts: string[] = [];
  if (truth.label !== undefined) parts.push(`label ${truth.label}`);
  if (truth.risk !== undefined) parts.push(`generating risk ${num(truth.risk, 3)}`);
  if (truth.class !== undefined) parts.push(`class ${truth.class}`);
  if (truth.conflicts) {
    parts.push(truth.conflicts.length === 0 ? 'no conflict' : truth.conflicts.map((c) => `${c.severity} ${c.kind}: ${c.description}`).join('; '));
  }
  return parts.length > 0 ? parts.join(' · ') : 'no truth recorded';
}

/** A CDS card as its indicator and summary when it has them; otherwise its JSON. */
function cardText(card: unknown): string {
  if (card !== null && typeof card === 'object') {
    const { indicator, summary } = card as { indicator?: unknown; summary?: unknown };
    if (typeof summary === 'string') return `${typeof indicator === 'string' ? `[${indicator}] ` : ''}${summary}`;
  }
  return clip(JSON.stringify(card) ?? String(card), 400);
}

function answer(c: Pick<ShownCase, 'outcome' | 'output' | 'error'>): Html {
  const out: Prediction | null = c.output;
  const facts: string[] = [];
  if (c.outcome !== 'ok') facts.push(`outcome ${c.outcome}`);
  if (out?.score !== undefined) facts.push(`score ${num(out.score, 4)}`);
  if (out?.label !== undefined) facts.push(`label ${String(out.label)}`);
  return html`${facts.length > 0 ? html`<div>${facts.join(' · ')}</div>` : null}${
    out?.text !== undefined ? html`<pre class="answer">${clip(out.text)}</pre>` : null
  }${out?.cards !== undefined ? html`<ul>${out.cards.length === 0 ? html`<li>no cards</li>` : out.cards.map((card) => html`<li>${cardText(card)}</li>`)}</ul>` : null}${
    c.error ? html`<pre class="error">${clip(c.error)}</pre>` : null
  }${!out && !c.error ? 'no answer' : null}`;
}

function input(i: CaseInput): Html {
  const note = i.note
    ? html`<div class="note">${i.note.clippedStart ? html`<span class="gap">… </span>` : null}${i.note.segments.map((s) =>
        s.kind === 'mark' ? html`<mark>${s.text}</mark>` : s.kind === 'gap' ? html`<span class="gap">${s.text}</span>` : s.text,
      )}${i.note.clippedEnd ? html`<span class="gap"> …</span>` : null}</div><div class="muted">Note of ${i.note.length} characters; highlighted: text the perturbations wrote.</div>`
    : null;
  const changes =
    i.changes.length > 0
      ? html`${table(
          [{ title: 'perturbation' }, { title: 'what' }, { title: 'before' }, { title: 'after' }],
          i.changes.map((c) => [c.kind, html`<code>${c.path}</code>`, c.before, c.after]),
        )}${i.moreChanges > 0 ? html`<div class="muted">and ${i.moreChanges} more change(s)</div>` : null}`
      : null;
  const features = i.features ? html`<div class="muted">Unchanged input (the model’s tabular view):</div><div class="note">${i.features.map(([k, v]) => `${k} ${v}`).join(' · ')}</div>` : null;
  return note || changes || features ? html`${note}${changes}${features}` : html`<span class="muted">the perturbations changed nothing in this case</span>`;
}

export function caseView(c: ShownCase): Html {
  return html`<div class="case ${c.severity}">
<h4>arm ${c.arm} · patient ${c.case}${c.repeat > 0 ? ` · repeat ${c.repeat}` : ''}</h4>
<dl>
<dt>Why it failed</dt><dd>${c.detail}</dd>
<dt>Truth</dt><dd>${truthText(c.truth)}</dd>
<dt>Model’s answer</dt><dd>${answer(c)}</dd>
<dt>Input</dt><dd>${input(c.input)}</dd>
<dt>Subgroup</dt><dd>${`${c.group.sex} · age ${c.group.ageBand} · ${c.group.race} · ${c.group.ethnicity}`}</dd>
</dl>
</div>`;
}
