/**
 * What the reference chat model reads of a prompt: the triage note and the observations, rebuilt as
 * the FHIR Bundle the triage model reads, so that a note sent as a prompt is triaged exactly as
 * the same note sent as a Bundle to `/triage`.
 *
 * - The note is the text between the first `<triage_note>` and the last `</triage_note>` (one line
 *   break after the opening tag and one before the closing tag are part of the delimiters); without
 *   both tags, the whole message is the note. An empty note is no note.
 * - Observations are the lines outside the note in the format clinsim's prompts use
 *   (adapters/prompts/bundle-text.ts): `- name [LOINC 8867-4, …]: 112 /min, 2025-03-01T10:00:00Z`.
 */

const OPEN = '<triage_note>';
const CLOSE = '</triage_note>';

const OBSERVATION_LINE = /^- [^\n]*? \[([^\]\n]*)\]: (?:<=|>=|<|>)?([^\s,]+)(?: ([^,\n]+))?(?:, (\S+))?$/gmu;

const SYSTEMS: Readonly<Record<string, string>> = {
  LOINC: 'http://loinc.org',
  SNOMED: 'http://snomed.info/sct',
  RxNorm: 'http://www.nlm.nih.gov/research/umls/rxnorm',
};

function codingOf(code: string): { system?: string; code: string } {
  const named = /^(LOINC|SNOMED|RxNorm) (\S+)$/.exec(code);
  if (named) return { system: SYSTEMS[named[1]!]!, code: named[2]! };
  const bar = code.lastIndexOf('|');
  return bar > 0 ? { system: code.slice(0, bar), code: code.slice(bar + 1) } : { code };
}

/** The note and the rest of the message. */
export function splitNote(text: string): { note: string; rest: string } {
  const open = text.indexOf(OPEN);
  const close = text.lastIndexOf(CLOSE);
  if (open < 0 || close < open + OPEN.length) return { note: text, rest: '' };
  const note = text.slice(open + OPEN.length, close).replace(/^\r?\n/, '').replace(/\r?\n$/, '');
  return { note, rest: text.slice(0, open) + text.slice(close + CLOSE.length) };
}

/** A Bundle holding the note (a text/plain DocumentReference) and the observations of a prompt. */
export function bundleOfPrompt(text: string): Record<string, unknown> {
  const { note, rest } = splitNote(text);
  const entry: { resource: Record<string, unknown> }[] = [];
  for (const m of rest.matchAll(OBSERVATION_LINE)) {
    const value = Number(m[2]);
    if (!Number.isFinite(value)) continue;
    const codes = m[1]!.split(', ').filter((c) => c !== '').map(codingOf);
    const unit = m[3]?.trim();
    entry.push({
      resource: {
        resourceType: 'Observation',
        status: 'final',
        code: { coding: codes },
        valueQuantity: unit ? { value, code: unit } : { value },
        ...(m[4] === undefined ? {} : { effectiveDateTime: m[4] }),
      },
    });
  }
  if (note.trim() !== '') {
    entry.push({
      resource: {
        resourceType: 'DocumentReference',
        status: 'current',
        content: [{ attachment: { contentType: 'text/plain; charset=utf-8', data: Buffer.from(note, 'utf8').toString('base64') } }],
      },
    });
  }
  return { resourceType: 'Bundle', type: 'collection', entry };
}
