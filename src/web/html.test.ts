import { describe, expect, it } from 'vitest';
import { html, jsonIsland, raw } from './html.js';

describe('html tag', () => {
  it('escapes every interpolated text, including in attributes', () => {
    const name = '<script>alert("x")</script> & \'co\'';
    expect(html`<p title="${name}">${name}</p>`.value).toBe(
      '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;co&#39;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;co&#39;</p>',
    );
  });

  it('keeps nested SafeHtml and joins arrays, dropping null and false', () => {
    const items = ['a<', 'b'].map((x) => html`<li>${x}</li>`);
    expect(html`<ul>${items}${null}${false}${undefined}${0}</ul>`.value).toBe(
      '<ul><li>a&lt;</li><li>b</li>0</ul>',
    );
    expect(html`${raw('<b>ok</b>')}`.value).toBe('<b>ok</b>');
  });

  it('cannot close a JSON data island from inside the data', () => {
    const island = jsonIsland('d', { name: '</script><script>alert(1)</script>' }).value;
    expect(island.match(/<\/script>/g)).toHaveLength(1);
    expect(JSON.parse(island.replace(/^<script[^>]*>/, '').replace(/<\/script>$/, ''))).toEqual({
      name: '</script><script>alert(1)</script>',
    });
  });
});
