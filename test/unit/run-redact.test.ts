import { describe, expect, it } from 'vitest';
import { redactUrl } from '../../simulator/run/redact.ts';

describe('redactUrl', () => {
  it('leaves a URL without secrets as it is', () => {
    expect(redactUrl('http://127.0.0.1:8080/predict')).toBe('http://127.0.0.1:8080/predict');
    expect(redactUrl('https://model.example/v2/models/sepsis/infer?format=json&page=2')).toBe(
      'https://model.example/v2/models/sepsis/infer?format=json&page=2',
    );
  });

  it('replaces a username and drops the password', () => {
    expect(redactUrl('https://alice:s3cret@model.example/predict')).toBe('https://REDACTED@model.example/predict');
    expect(redactUrl('https://alice@model.example/predict')).toBe('https://REDACTED@model.example/predict');
    expect(redactUrl('https://:s3cret@model.example/predict')).toBe('https://model.example/predict');
    expect(redactUrl('https://alice:s3cret@model.example/predict')).not.toContain('s3cret');
  });

  it('masks secret-looking query parameters, whatever their case, and keeps the others', () => {
    const out = redactUrl(
      'https://model.example/p?api_key=k1&format=json&token=t1&X-Amz-Signature=s1&page=2&sig=g1&Password=p1&client_secret=c1&access_token=a1&Authorization=b1&credential=x1',
    );
    expect(out).toBe(
      'https://model.example/p?api_key=REDACTED&format=json&token=REDACTED&X-Amz-Signature=REDACTED&page=2&sig=REDACTED&Password=REDACTED&client_secret=REDACTED&access_token=REDACTED&Authorization=REDACTED&credential=REDACTED',
    );
    for (const secret of ['k1', 't1', 's1', 'g1', 'p1', 'c1', 'a1', 'b1', 'x1']) expect(out).not.toContain(`=${secret}`);
  });

  it('masks every value of a repeated secret parameter', () => {
    const out = redactUrl('https://model.example/p?token=first&token=second');
    expect(out).not.toContain('first');
    expect(out).not.toContain('second');
    expect(new URL(out).searchParams.getAll('token')).toEqual(['REDACTED', 'REDACTED']);
  });

  it('redacts userinfo and query together', () => {
    expect(redactUrl('https://u:p@model.example/predict?api_key=abc&format=json')).toBe(
      'https://REDACTED@model.example/predict?api_key=REDACTED&format=json',
    );
  });

  it('answers unparseable input with a placeholder, never the input', () => {
    expect(redactUrl('not a url')).toBe('<unparseable url>');
    expect(redactUrl('')).toBe('<unparseable url>');
    expect(redactUrl('//user:pw@host/path')).toBe('<unparseable url>');
  });

  it('drops the fragment, which may carry a token', () => {
    expect(redactUrl('https://model.example/predict#access_token=abc123')).toBe('https://model.example/predict');
    expect(redactUrl('https://model.example/predict?format=json#section')).toBe('https://model.example/predict?format=json');
  });
});
