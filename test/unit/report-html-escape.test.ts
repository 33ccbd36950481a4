import { describe, expect, it } from 'vitest';
import { escapeHtml, html, Html, joinHtml, trustedSvg } from '../../reports/html/escape.ts';
import { prefixIds } from '../../reports/html/svg.ts';

const PAYLOAD = `<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2"> 'single' \`tick\` & done`;

describe('escapeHtml', () => {
  it('escapes the characters that can open markup or leave a quoted attribute', () => {
    expect(escapeHtml(`<>&"'\``)).toBe('&lt;&gt;&amp;&quot;&#39;&#96;');
    expect(escapeHtml(PAYLOAD)).toBe(
      '&lt;script&gt;window.__pwned=1&lt;/script&gt;&lt;img src=x onerror=&quot;window.__pwned=2&quot;&gt; &#39;single&#39; &#96;tick&#96; &amp; done',
    );
  });

  it('leaves other text alone, entities included as text', () => {
    expect(escapeHtml('ΔAUROC 0.5 — ok')).toBe('ΔAUROC 0.5 — ok');
    expect(escapeHtml('&lt;')).toBe('&amp;lt;');
    expect(escapeHtml('')).toBe('');
  });
});

describe('html template', () => {
  it('escapes every interpolated string, in text and attribute positions', () => {
    const out = html`<p title="${PAYLOAD}">${PAYLOAD}</p>`.value;
    expect(out).not.toContain('<script');
    expect(out).not.toContain('<img');
    expect(out).not.toMatch(/"\s*onerror=/);
    expect(out.startsWith('<p title="&lt;script&gt;')).toBe(true);
  });

  it('inserts Html values as they are and flattens lists; null, undefined and false render nothing', () => {
    const inner = html`<b>${'x<y'}</b>`;
    expect(html`<div>${inner}${[inner, 'a&b', 3]}${null}${undefined}${false}</div>`.value).toBe('<div><b>x&lt;y</b><b>x&lt;y</b>a&amp;b3</div>');
    expect(html`${[[['<']]]}`.value).toBe('&lt;');
  });

  it('does not treat a string that looks like markup, or an object with a value, as Html', () => {
    const fake = { value: '<script>1</script>' } as unknown as string;
    expect(() => html`${fake}`).toThrow();
    expect(html`${'<b>bold</b>'}`.value).toBe('&lt;b&gt;bold&lt;/b&gt;');
    expect(new Html('<b>').toString()).toBe('<b>');
  });

  it('joinHtml escapes its parts and keeps the separator as markup', () => {
    expect(joinHtml(['<a>', html`<br>`, 'b'], '<hr>').value).toBe('&lt;a&gt;<hr><br><hr>b');
  });
});

describe('chart SVG ids', () => {
  it('prefixes every id and every url(#…) reference, and nothing else', () => {
    const svg = '<svg><defs><clipPath id="clip1"><rect/></clipPath></defs><g clip-path="url(#clip1)" data-id="x"><text>id="clip1"</text></g></svg>';
    const out = trustedSvg(prefixIds(svg, 's1-0')).value;
    expect(out).toContain('<clipPath id="s1-0-clip1">');
    expect(out).toContain('clip-path="url(#s1-0-clip1)"');
    expect(out).toContain('data-id="x"');
    expect(out).toContain('<text>id="clip1"</text>');
  });
});
