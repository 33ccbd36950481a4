import { describe, expect, it } from 'vitest';
import { getPath, parsePath } from '../../adapters/json-path.ts';
import { parseRetryAfter, splitCredentials } from '../../adapters/http-exchange.ts';
import { createAdapter } from '../../adapters/create.ts';

describe('json-path', () => {
  const doc = { score: 0.3, result: { probs: [0.1, 0.9], label: 'high' }, choices: [{ message: { content: 'x' } }] };

  it('reads top-level, nested and indexed paths', () => {
    expect(getPath(doc, 'score')).toBe(0.3);
    expect(getPath(doc, 'result.label')).toBe('high');
    expect(getPath(doc, 'result.probs.1')).toBe(0.9);
    expect(getPath(doc, 'choices[0].message.content')).toBe('x');
  });

  it('gives undefined for missing steps, non-index array steps and primitives', () => {
    expect(getPath(doc, 'result.missing.deeper')).toBeUndefined();
    expect(getPath(doc, 'result.probs.length')).toBeUndefined();
    expect(getPath(doc, 'score.value')).toBeUndefined();
    expect(getPath(null, 'score')).toBeUndefined();
  });

  it('never follows inherited members', () => {
    expect(getPath({}, '__proto__')).toBeUndefined();
    expect(getPath({}, 'constructor.name')).toBeUndefined();
    expect(getPath({ a: {} }, 'a.toString')).toBeUndefined();
  });

  it('rejects empty paths and segments', () => {
    expect(parsePath('a[2].b')).toEqual(['a', '2', 'b']);
    expect(() => parsePath('')).toThrow(/invalid path/);
    expect(() => parsePath('a..b')).toThrow(/invalid path/);
    expect(() => createAdapter({ adapter: 'http-json', url: 'http://127.0.0.1:1/p', response: { score: 'a.' }, timeoutMs: 1000, concurrency: 1, retries: 0 })).toThrow(/invalid path/);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');

  it('reads delta-seconds', () => {
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
  });

  it('reads an HTTP date relative to now, clamping past dates to 0', () => {
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0);
  });

  it('ignores absent and unreadable values', () => {
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-5', now)).toBeUndefined();
    expect(parseRetryAfter('1.5', now)).toBeUndefined();
  });
});

describe('splitCredentials', () => {
  it('moves userinfo into a Basic header and keeps it and the query out of the display form', () => {
    const split = splitCredentials('https://al%40ice:s3cret@models.example/v1/predict?api_key=k3y');
    expect(split.endpoint).toBe('https://models.example/v1/predict?api_key=k3y');
    expect(split.authorization).toBe(`Basic ${Buffer.from('al@ice:s3cret').toString('base64')}`);
    expect(split.display).toBe('https://models.example/v1/predict');
  });

  it('leaves a plain URL alone', () => {
    expect(splitCredentials('http://127.0.0.1:8080/predict')).toEqual({
      endpoint: 'http://127.0.0.1:8080/predict',
      display: 'http://127.0.0.1:8080/predict',
    });
  });
});
