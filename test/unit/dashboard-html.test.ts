import { describe, expect, it } from 'vitest';
import { escapeHtml, html, trusted } from '../../reports/dashboard/html.ts';

describe('dashboard html``', () => {
  it('escapes every interpolated string, in text and in attributes', () => {
    const name = `<script>alert("x")</script>&'`;
    const out = html`<td title="${name}">${name}</td>`.value;
    expect(out).toBe('<td title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;</td>');
    expect(out).not.toContain('<script>');
  });

  it('escapes the items of lists, keeps nested fragments, and renders null, undefined and false as nothing', () => {
    const items = ['<b>', 'a&b'].map((x) => html`<li>${x}</li>`);
    expect(html`<ul>${items}</ul>`.value).toBe('<ul><li>&lt;b&gt;</li><li>a&amp;b</li></ul>');
    expect(html`${['<i>', 1, null]}`.value).toBe('&lt;i&gt;1');
    expect(html`[${null}${undefined}${false}]`.value).toBe('[]');
    expect(html`${0}|${true}`.value).toBe('0|true');
  });

  it('passes trusted markup through unchanged', () => {
    expect(html`<div>${trusted('<svg><text>&lt;b&gt;</text></svg>')}</div>`.value).toBe('<div><svg><text>&lt;b&gt;</text></svg></div>');
    expect(escapeHtml('plain text 0.81')).toBe('plain text 0.81');
  });
});
