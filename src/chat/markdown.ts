/**
 * Markdown → safe HTML for assistant answers, done in the extension host so the webview never parses model text
 * itself: it only receives markup that already passed `sanitizeHtml`, the one module the injection tests cover.
 * markdown-it runs with raw HTML off, links limited to http(s)/mailto, images shown as links (a webview must not
 * fetch remote resources), and code highlighted by the bundled highlight.js (no CDN).
 */
import type * as Engine from './markdownEngine';
import { escapeHtml, isSafeUrl, sanitizeHtml } from './sanitize';

function load(): typeof Engine {
  // A lazy require (bundled by esbuild, evaluated once, on first render) keeps activation cheap.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./markdownEngine') as typeof Engine;
}

/**
 * The language name of a fence's info string as a class-safe name: the sanitizer allows only [A-Za-z0-9_ -] in a
 * class, so `+` and `#` are spelled out (c++ → cpp, c# → csharp, f# → fsharp), the names highlight.js knows them by.
 */
function fenceLanguage(info: string): string {
  const name = (info.trim().split(/\s+/)[0] ?? '').toLowerCase().replace(/\+/g, 'p').replace(/#/g, 'sharp');
  return name.replace(/[^a-z0-9_-]/g, '').slice(0, 32);
}

function highlight(hljs: typeof Engine.hljs, code: string, language: string): string {
  if (language && hljs.getLanguage(language) && code.length < 200_000) {
    try {
      return hljs.highlight(code, { language, ignoreIllegals: true }).value;
    } catch {
      // A grammar bug must not lose the answer: fall back to plain text.
    }
  }
  return escapeHtml(code);
}

type Markdown = InstanceType<typeof Engine.MarkdownIt>;

/**
 * The rendering of each top-level block of one answer, keyed by the block's source lines, the number of its first
 * code block and the link references in force: what `renderBlocks` reuses from one stream tick to the next.
 */
export type BlockCache = Map<string, { html: string; codeBlocks: number }>;

/** Numbers code blocks in document order, through markdown-it's per-render env. */
function nextBlockIndex(env: { [key: string | symbol]: unknown } | undefined): number {
  const index = typeof env?.hearthBlocks === 'number' ? env.hearthBlocks : 0;
  if (env) env.hearthBlocks = index + 1;
  return index;
}

function createRenderer(): Markdown {
  const { MarkdownIt, hljs } = load();
  const md = new MarkdownIt({ html: false, linkify: true, breaks: false, typographer: false });
  md.validateLink = (url: string) => isSafeUrl(url);
  const codeBlock = (content: string, language: string, index: number): string => {
    const cls = language ? ` class="hljs language-${language}"` : ' class="hljs"';
    return `<pre class="code-block" data-block="${index}"><code${cls}>${highlight(hljs, content, language)}</code></pre>\n`;
  };
  md.renderer.rules.fence = (tokens, idx, _options, env) => {
    const token = tokens[idx];
    return codeBlock(token.content, fenceLanguage(token.info), nextBlockIndex(env));
  };
  md.renderer.rules.code_block = (tokens, idx, _options, env) => codeBlock(tokens[idx].content, '', nextBlockIndex(env));
  // Images become links to the image: loading them would be a remote request, which the CSP forbids anyway.
  md.renderer.rules.image = (tokens, idx) => {
    const token = tokens[idx];
    const src = String(token.attrGet('src') ?? '');
    const alt = token.children?.map((t) => t.content).join('') || src;
    return isSafeUrl(src) ? `<a href="${escapeHtml(src)}">${escapeHtml(alt)}</a>` : escapeHtml(alt);
  };
  return md;
}

/** One renderer per owner, created on first use. */
export class MarkdownRenderer {
  private md: Markdown | undefined;

  /** Safe HTML for a (possibly still streaming, so possibly unfinished) Markdown answer. */
  render(text: string): string {
    return sanitizeHtml(this.renderer().render(text, {}));
  }

  /**
   * The same HTML as `render`, but only the top-level blocks whose source changed since the last call with this
   * cache are rendered again (a streaming answer grows at its end: the earlier blocks are parsed, not re-rendered).
   */
  renderBlocks(answer: string, cache: BlockCache): string {
    const md = this.renderer();
    // markdown-it's own line-ending normalization, done first so that its line numbers index these lines.
    const text = answer.replace(/\r\n?/g, '\n');
    const env: { [key: string]: unknown } = {};
    const tokens = md.parse(text, env);
    const references = JSON.stringify(env.references ?? {});
    // Where each line starts: a block's key is its exact source, the newline that ends it included.
    const lineStarts = [0];
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
    const used = new Set<string>();
    let html = '';
    let codeBlocks = 0;
    for (let start = 0, end = 0; start < tokens.length; start = end) {
      // A top-level block: from a level-0 token to where its nesting closes again.
      let depth = 0;
      do depth += tokens[end++].nesting;
      while (depth > 0 && end < tokens.length);
      const map = tokens[start].map;
      const key = map ? `${codeBlocks}\u0000${references}\u0000${text.slice(lineStarts[map[0]], lineStarts[map[1]] ?? text.length)}` : undefined;
      let block = key === undefined ? undefined : cache.get(key);
      if (!block) {
        const blockEnv = { ...env, hearthBlocks: codeBlocks };
        block = { html: sanitizeHtml(md.renderer.render(tokens.slice(start, end), md.options, blockEnv)), codeBlocks: blockEnv.hearthBlocks - codeBlocks };
        if (key !== undefined) cache.set(key, block);
      }
      if (key !== undefined) used.add(key);
      html += block.html;
      codeBlocks += block.codeBlocks;
    }
    for (const key of cache.keys()) if (!used.has(key)) cache.delete(key);
    return html;
  }

  /** The code of each code block, in the order `render` numbers them (`data-block`). */
  codeBlocks(text: string): Array<{ code: string; language: string }> {
    const blocks: Array<{ code: string; language: string }> = [];
    for (const t of this.renderer().parse(text, {})) {
      if (t.type === 'fence') blocks.push({ code: t.content, language: fenceLanguage(t.info) });
      else if (t.type === 'code_block') blocks.push({ code: t.content, language: '' });
    }
    return blocks;
  }

  private renderer(): Markdown {
    return (this.md ??= createRenderer());
  }
}
