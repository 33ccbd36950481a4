import { describe, expect, it } from 'vitest';
import { AdapterError, type Prediction } from '../../adapters/adapter.ts';
import { appendPath } from '../../adapters/http-exchange.ts';
import { secretScrubber, secretsOf } from '../../adapters/scrub.ts';

const KEY = 'sk-proj-AAAAbbbbCCCCddddEEEEffff0123456789';

describe('secretScrubber: fragments cut at an edge', () => {
  const scrub = secretScrubber({ authorization: `Bearer ${KEY}` });

  it('masks a trailing prefix of a key (8+ characters), with or without the cut\'s ellipsis and quote', () => {
    const cut = `Received API Key = ${KEY.slice(0, 24)}`;
    expect(scrub.text(cut)).toBe('Received API Key = [REDACTED]');
    expect(scrub.text(`${cut}…`)).toBe('Received API Key = [REDACTED]…');
    expect(scrub.text(`"${cut}…"`)).toBe('"Received API Key = [REDACTED]…"');
    expect(scrub.text(`key ${KEY.slice(0, 8)}`)).toBe('key [REDACTED]');
  });

  it('masks a leading suffix of a key (8+ characters)', () => {
    expect(scrub.text(`${KEY.slice(-12)} was rejected`)).toBe('[REDACTED] was rejected');
    expect(scrub.text(`…${KEY.slice(5)} was rejected`)).toBe('…[REDACTED] was rejected');
  });

  it('leaves fragments shorter than 8 characters and pieces that are not at an edge', () => {
    expect(scrub.text(`key ${KEY.slice(0, 7)}`)).toBe(`key ${KEY.slice(0, 7)}`);
    expect(scrub.text('sk-proj- is the prefix of project keys')).toBe('sk-proj- is the prefix of project keys');
    expect(scrub.text('nothing to see')).toBe('nothing to see');
  });

  it('masks whole keys anywhere, then fragments, in one pass', () => {
    expect(scrub.text(`${KEY.slice(-9)} then ${KEY} then ${KEY.slice(0, 10)}`)).toBe('[REDACTED] then [REDACTED] then [REDACTED]');
  });

  it('scrubs an AdapterError keeping its type and details, a plain Error keeping its class, and a Prediction', () => {
    const error = scrub.error(new AdapterError('http-status', `bad key ${KEY.slice(0, 20)}…`, { status: 401, code: 'X' })) as AdapterError;
    expect(error).toBeInstanceOf(AdapterError);
    expect(error).toMatchObject({ type: 'http-status', message: 'bad key [REDACTED]…', details: { status: 401, code: 'X' } });
    const plain = scrub.error(new TypeError(`oops ${KEY}`)) as Error;
    expect(plain).not.toBeInstanceOf(AdapterError);
    expect(plain).toMatchObject({ name: 'TypeError', message: 'oops [REDACTED]' });
    const prediction: Prediction = { label: 1, text: `saw ${KEY}`, cards: [{ summary: `key ${KEY}`, detail: 'fine', n: 3 }] };
    expect(scrub.prediction(prediction)).toEqual({ label: 1, text: 'saw [REDACTED]', cards: [{ summary: 'key [REDACTED]', detail: 'fine', n: 3 }] });
    const clean: Prediction = { score: 0.5, text: 'fine' };
    expect(scrub.prediction(clean)).toBe(clean);
  });
});

describe('secretsOf', () => {
  it('takes credential headers (not the protocol\'s), the token after a scheme and a Basic pair\'s password', () => {
    const basic = `Basic ${Buffer.from('model-user:hunter2-long').toString('base64')}`;
    const secrets = secretsOf({ 'content-type': 'application/fhir+json', accept: 'application/json', authorization: basic, 'x-api-key': 'xk-123456789' });
    expect(secrets).toEqual(expect.arrayContaining([basic, basic.slice(6), 'model-user:hunter2-long', 'hunter2-long', 'xk-123456789']));
    expect(secrets).not.toContain('application/fhir+json');
    expect(secrets).not.toContain('application/json');
  });

  it('takes URL userinfo, its Basic form, and credential-like query values, raw and decoded', () => {
    const secrets = secretsOf({}, 'https://model-user:p%40ssword1@h.example/v1?api_key=abc%2Fdefghij&page=12345678&sig=s1g-n4tur3');
    expect(secrets).toEqual(
      expect.arrayContaining(['model-user', 'p@ssword1', 'p%40ssword1', Buffer.from('model-user:p@ssword1').toString('base64'), 'abc/defghij', 'abc%2Fdefghij', 's1g-n4tur3']),
    );
    expect(secrets).not.toContain('12345678');
    expect(secretsOf({}, 'https://h.example/v1')).toEqual([]);
  });
});

describe('appendPath', () => {
  it('appends to the path and keeps the query', () => {
    expect(appendPath('https://h.example/v1?api-version=2024-06-01', 'chat/completions')).toBe('https://h.example/v1/chat/completions?api-version=2024-06-01');
    expect(appendPath('https://h.example/v1/?x=1&y=2', 'models')).toBe('https://h.example/v1/models?x=1&y=2');
    expect(appendPath('http://127.0.0.1:8000/fhir', '$sepsis-risk')).toBe('http://127.0.0.1:8000/fhir/$sepsis-risk');
    expect(appendPath('http://127.0.0.1:8000', '/models')).toBe('http://127.0.0.1:8000/models');
  });

  it('keeps userinfo (splitCredentials takes it out afterwards) and drops a fragment', () => {
    expect(appendPath('https://u:p@h.example/v1#frag', 'models')).toBe('https://u:p@h.example/v1/models');
  });
});
