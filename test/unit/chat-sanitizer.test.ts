import * as assert from 'node:assert/strict';
import { MarkdownRenderer } from '../../src/chat/markdown';
import { decodeEntities, isSafeUrl, sanitizeHtml } from '../../src/chat/sanitize';

const markdown = new MarkdownRenderer();
const renderMarkdown = (text: string) => markdown.render(text);
const extractCodeBlocks = (text: string) => markdown.codeBlocks(text);

/**
 * An independent check of rendered output, written without the sanitizer's code: every `<` must open or close a
 * tag from a small inert set, every attribute must be one of a few inert names, and every href must decode to an
 * http(s) or mailto URL. Anything else (script, svg, iframe, on* handlers, style, src, srcdoc…) fails.
 */
const INERT_TAGS = new Set(
  'p br hr em strong s del code pre span blockquote ul ol li h1 h2 h3 h4 h5 h6 table thead tbody tr th td a sup sub kbd'.split(' '),
);
const INERT_ATTRS = new Set(['class', 'href', 'title', 'start', 'data-block']);

function assertInert(html: string, payload: string): void {
  const context = `payload ${JSON.stringify(payload)} → ${JSON.stringify(html)}`;
  let i = 0;
  for (;;) {
    const lt = html.indexOf('<', i);
    if (lt === -1) break;
    const m = /^<(\/?)([a-z][a-z0-9]*)((?:\s+[a-z-]+="[^"<>]*")*)>/.exec(html.slice(lt));
    assert.ok(m, `unparseable or non-tag '<' at ${lt}: ${context}`);
    assert.ok(INERT_TAGS.has(m[2]), `tag <${m[2]}> is not inert: ${context}`);
    for (const a of m[3].matchAll(/\s+([a-z-]+)="([^"]*)"/g)) {
      assert.ok(INERT_ATTRS.has(a[1]), `attribute ${a[1]} on <${m[2]}>: ${context}`);
      assert.ok(!/^on/i.test(a[1]), `event handler ${a[1]}: ${context}`);
      if (a[1] === 'href') {
        const decoded = a[2]
          .replace(/&#x([0-9a-f]+);?/gi, (_s, h: string) => String.fromCodePoint(parseInt(h, 16)))
          .replace(/&#([0-9]+);?/g, (_s, d: string) => String.fromCodePoint(parseInt(d, 10)))
          .replace(/&amp;/g, '&')
          .replace(/[\s\u0000-\u001f]/g, '');
        assert.match(decoded, /^(https?:\/\/|mailto:)/i, `href ${a[2]}: ${context}`);
      }
    }
    i = lt + m[0].length;
  }
}

const PAYLOADS: string[] = [
  '<script>alert(1)</script>',
  '<SCRIPT SRC=http://xss.example/xss.js></SCRIPT>',
  '<img src=x onerror=alert(1)>',
  '<svg onload=alert(1)>',
  '<svg><script>alert(1)</script></svg>',
  '<iframe src="javascript:alert(1)"></iframe>',
  '<iframe srcdoc="<script>alert(1)</script>">',
  '<a href="javascript:alert(1)">x</a>',
  '[click](javascript:alert(1))',
  '[click](JaVaScRiPt:alert(1))',
  '[click](jav&#x61;script:alert(1))',
  '[click](jav&#97;script:alert(1))',
  '[click](&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1))',
  '[click](java\tscript:alert(1))',
  '[click](javascript&colon;alert(1))',
  '[click](<javascript:alert(1)>)',
  '[click](vbscript:msgbox(1))',
  '[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
  '![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)',
  '![x](javascript:alert(1))',
  '![x" onerror="alert(1)](http://example.com/a.png)',
  '[x](http://example.com" onmouseover="alert(1))',
  '[x](http://example.com "title\\" onmouseover=alert(1) x=\\"")',
  '<a href="http://x" onclick="alert(1)">x</a>',
  '<div style="background:url(javascript:alert(1))">x</div>',
  '<body onload=alert(1)>',
  '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>',
  '<!--<img src=x onerror=alert(1)>-->',
  '<![CDATA[<script>alert(1)</script>]]>',
  '<object data="javascript:alert(1)"></object>',
  '<embed src="javascript:alert(1)">',
  '<form action="javascript:alert(1)"><input type=submit></form>',
  '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
  '<base href="javascript:alert(1)//">',
  '<link rel=stylesheet href="javascript:alert(1)">',
  '<details open ontoggle=alert(1)>',
  '```html\n<script>alert(1)</script>\n```',
  '```"><img src=x onerror=alert(1)>\ncode\n```',
  '`<img src=x onerror=alert(1)>`',
  '<scr<script>ipt>alert(1)</script>',
  '&lt;script&gt;alert(1)&lt;/script&gt;',
  '<a href=\'javascript:alert(1)\'>x</a>',
  'https://example.com/<script>alert(1)</script>',
  'www.example.com"onmouseover="alert(1)',
  '[x]: javascript:alert(1)\n\n[link][x]',
  '<http://example.com/"onmouseover="alert(1)">',
  '<javascript:alert(1)>',
  '> <img src=x onerror=alert(1)>\n> - <svg/onload=alert(1)>',
  '| a | b |\n|---|---|\n| <img src=x onerror=alert(1)> | [x](javascript:alert(1)) |',
  '<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;&#97;&#108;&#101;&#114;&#116;&#40;&#39;&#88;&#83;&#83;&#39;&#41;>',
  '<a href="&#x6A;avascript:alert(1)">x</a>',
  '<style>@import "http://evil.example/x.css";</style>',
];

describe('chat sanitizer: script-injection payloads', () => {
  it('has at least 30 payloads', () => assert.ok(PAYLOADS.length >= 30));
  for (const payload of PAYLOADS) {
    it(`renders inert: ${payload.slice(0, 60)}`, () => {
      assertInert(renderMarkdown(payload), payload);
      // Also straight through the sanitizer, as if markdown-it had passed the payload on verbatim.
      assertInert(sanitizeHtml(payload), payload);
    });
  }
});

describe('chat sanitizer: what must survive', () => {
  it('keeps http links, emphasis, lists and tables', () => {
    const html = renderMarkdown('**bold** _it_ [site](https://example.com/a?b=1&c=2)\n\n- one\n- two\n\n| a |\n|---|\n| 1 |');
    assert.match(html, /<strong>bold<\/strong>/);
    assert.match(html, /<em>it<\/em>/);
    assert.match(html, /<a href="https:\/\/example\.com\/a\?b=1&amp;c=2">site<\/a>/);
    assert.match(html, /<li>one<\/li>/);
    assert.match(html, /<td>1<\/td>/);
  });

  it('highlights fenced code with the bundled highlight.js and numbers the blocks', () => {
    const html = renderMarkdown('```ts\nconst x: number = 1;\n```\n\ntext\n\n```\nplain <b>\n```');
    assert.match(html, /<pre class="code-block" data-block="0"><code class="hljs language-ts">/);
    assert.match(html, /<span class="hljs-keyword">const<\/span>/);
    assert.match(html, /data-block="1"><code class="hljs">plain &lt;b&gt;/);
  });

  it('keeps the language class of c++, c# and f# fences, spelled as class-safe names', () => {
    const html = renderMarkdown('```c++\nint main() { return 0; }\n```\n\n```C#\nvar x = 1;\n```\n\n```f#\nlet x = 1\n```');
    assert.match(html, /data-block="0"><code class="hljs language-cpp">.*<span class="hljs-keyword">return<\/span>/);
    assert.match(html, /data-block="1"><code class="hljs language-csharp"><span class="hljs-keyword">var<\/span>/);
    assert.match(html, /data-block="2"><code class="hljs language-fsharp">let x = 1/);
    assert.equal(extractCodeBlocks('```c++\nx\n```')[0].language, 'cpp');
  });

  it('extracts code blocks in the same order as their data-block numbers', () => {
    const text = 'a\n\n```py\nprint(1)\n```\n\n> ```js\n> x()\n> ```\n\npara\n\n    indented\n';
    const blocks = extractCodeBlocks(text);
    assert.deepEqual(blocks.map((b) => b.code), ['print(1)\n', 'x()\n', 'indented\n']);
    assert.equal(blocks[0].language, 'py');
    const html = renderMarkdown(text);
    assert.equal((html.match(/data-block="/g) ?? []).length, 3);
  });

  it('renders an image as a link to it, never as <img>', () => {
    const html = renderMarkdown('![cat](https://example.com/cat.png)');
    assert.match(html, /<a href="https:\/\/example\.com\/cat\.png">cat<\/a>/);
    assert.doesNotMatch(html, /<img/);
  });

  it('keeps an unfinished stream well-formed (open fence, open emphasis)', () => {
    const html = renderMarkdown('Here:\n\n```js\nfunction f() {\n  return **');
    assert.match(html, /<pre class="code-block" data-block="0">/);
    assertInert(html, 'unfinished');
  });

  it('closes tags that a fragment leaves open and drops unmatched closers', () => {
    assert.equal(sanitizeHtml('<p><em>x'), '<p><em>x</em></p>');
    assert.equal(sanitizeHtml('</div>x</p>'), '&lt;/div&gt;x');
  });
});

describe('chat sanitizer: URLs and entities', () => {
  it('accepts only http, https and mailto', () => {
    for (const ok of ['http://a.example', 'https://a.example/x', 'mailto:me@example.com', 'HTTPS://A.EXAMPLE']) assert.ok(isSafeUrl(ok), ok);
    for (const bad of [
      'javascript:alert(1)', 'jav&#x61;script:alert(1)', ' javascript:alert(1)', 'java\nscript:alert(1)', 'data:text/html,x',
      'vbscript:x', 'file:///etc/passwd', 'command:workbench.action.quit', 'vscode://x', '//evil.example', '/relative', '#top',
      'javascript&colon;alert(1)', 'http:\\\\evil.example', 'https:/\\evil.example',
    ]) {
      assert.ok(!isSafeUrl(bad), bad);
    }
  });

  it('decodes numeric references and refuses unknown named ones', () => {
    assert.equal(decodeEntities('&#x61;&#98;&amp;'), 'ab&');
    assert.equal(decodeEntities('a&colon;b'), undefined);
    assert.equal(decodeEntities('?a=1&page=2'), '?a=1&page=2');
  });
});
