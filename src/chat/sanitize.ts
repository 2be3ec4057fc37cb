/**
 * The last gate between model text and the webview's DOM: an allowlist HTML sanitizer for what the Markdown
 * renderer produces. markdown-it with `html: false` already escapes raw HTML, but the renderer is configurable,
 * plugins and highlighters emit markup too, and a single mistake anywhere upstream would become script in the
 * webview. So everything is re-tokenized here and only known-inert tags and attributes survive; anything else
 * is escaped into visible text. Links are allowed only to http(s) and mailto after entity decoding, so
 * `jav&#x61;script:` and friends cannot slip through. Pure: no DOM, no `vscode`.
 */
import { ALLOWED_MARKUP } from './allowlist';

/** Tags that carry no behaviour, with the attributes each may keep: the allowlist both filters share. */
const ALLOWED = ALLOWED_MARKUP;
const VOID = new Set(['br', 'hr']);
const CLASS_VALUE = /^[A-Za-z0-9_ -]{0,200}$/;
const NUMBER_VALUE = /^[0-9]{1,6}$/;
const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/**
 * Decodes character references the way a browser would inside an attribute. Returns undefined for a named
 * reference it does not know: such a value is refused rather than guessed (HTML has entities like `&colon;`).
 */
export function decodeEntities(value: string): string | undefined {
  let unknown = false;
  const out = value.replace(/&(#[xX][0-9a-fA-F]+|#[0-9]+|[A-Za-z][A-Za-z0-9]*)(;?)/g, (whole, ref: string, semi: string) => {
    // A name without ';' (a query string's `&page=2`) is left as it is: the only names a browser decodes
    // without ';' are the legacy ones, and none of those yields an ASCII letter or ':' that could form a scheme.
    if (ref[0] !== '#' && !semi) return whole;
    if (ref[0] === '#') {
      const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      if (!Number.isFinite(code) || code <= 0 || code > 0x10ffff) return '\ufffd';
      return String.fromCodePoint(code);
    }
    const named = NAMED_ENTITIES[ref.toLowerCase()];
    if (named === undefined) unknown = true;
    return named ?? '';
  });
  return unknown ? undefined : out;
}

/**
 * True only for absolute http:, https: and mailto: URLs. Control characters and whitespace are removed first
 * because browsers ignore them inside a scheme (`java\tscript:`), and the check is on the decoded value.
 */
export function isSafeUrl(raw: string): boolean {
  const decoded = decodeEntities(raw);
  if (decoded === undefined) return false;
  const compact = decoded.replace(/[\u0000-\u0020\u007f-\u00a0\u1680\u180e\u2000-\u200f\u2028\u2029\u205f\u3000\ufeff]/g, '');
  if (/^https?:\/\/[^/\\]/i.test(compact)) return !/^https?:\/\/[^/]*\\/i.test(compact);
  if (/^mailto:[^\s]/i.test(compact)) return true;
  return false;
}

interface Attribute {
  name: string;
  value: string;
}

/** Attribute list of a start tag, e.g. ` href="x" class=y disabled`. Quoted or bare values, HTML-style. */
function parseAttributes(source: string): Attribute[] | undefined {
  const attrs: Attribute[] = [];
  const re = /\s*([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/gy;
  let pos = 0;
  while (pos < source.length) {
    if (/^[\s/]*$/.test(source.slice(pos))) break;
    re.lastIndex = pos;
    const m = re.exec(source);
    if (!m || m[0].length === 0) return undefined;
    attrs.push({ name: m[1].toLowerCase(), value: m[2] ?? m[3] ?? m[4] ?? '' });
    pos = re.lastIndex;
  }
  return attrs;
}

function allowedAttribute(tag: string, attr: Attribute): string | undefined {
  if (!ALLOWED[tag].includes(attr.name)) return undefined;
  const value = decodeEntities(attr.value);
  if (value === undefined) return undefined;
  switch (attr.name) {
    case 'href':
      return isSafeUrl(attr.value) ? value : undefined;
    case 'class':
      return CLASS_VALUE.test(value) ? value : undefined;
    case 'start':
    case 'data-block':
      return NUMBER_VALUE.test(value) ? value : undefined;
    case 'title':
      return value;
    default:
      return undefined;
  }
}

const TAG = /<(\/?)([A-Za-z][A-Za-z0-9]*)((?:\s+[^\s"'<>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*)\s*(\/?)>/y;

/**
 * Keeps allowed tags (with only their allowed, validated attributes) and escapes everything else, including
 * comments, doctypes, processing instructions and stray `<`/`>`. Unclosed allowed tags are closed at the end so
 * the fragment cannot swallow the markup that follows it.
 */
export function sanitizeHtml(html: string): string {
  let out = '';
  const open: string[] = [];
  let i = 0;
  while (i < html.length) {
    const lt = html.indexOf('<', i);
    const end = lt === -1 ? html.length : lt;
    if (end > i) out += escapeText(html.slice(i, end));
    if (lt === -1) break;
    TAG.lastIndex = lt;
    const m = TAG.exec(html);
    const tag = m?.[2].toLowerCase();
    if (!m || !tag || !Object.prototype.hasOwnProperty.call(ALLOWED, tag)) {
      out += '&lt;';
      i = lt + 1;
      continue;
    }
    i = TAG.lastIndex;
    if (m[1] === '/') {
      const at = open.lastIndexOf(tag);
      if (at === -1) continue;
      while (open.length > at) out += `</${open.pop()}>`;
      continue;
    }
    const attrs = parseAttributes(m[3]);
    let rendered = `<${tag}`;
    for (const attr of attrs ?? []) {
      const value = allowedAttribute(tag, attr);
      if (value !== undefined) rendered += ` ${attr.name}="${escapeHtml(value)}"`;
    }
    // A link whose target was refused stays as its text: an <a> without href is inert.
    out += rendered + '>';
    if (!VOID.has(tag)) open.push(tag);
  }
  while (open.length) out += `</${open.pop()}>`;
  return out;
}

/** Text between tags: keeps well-formed character references, escapes everything that could start markup. */
function escapeText(text: string): string {
  return text
    .replace(/&(?!(?:#[xX][0-9a-fA-F]{1,6}|#[0-9]{1,7}|[A-Za-z][A-Za-z0-9]{0,31});)/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}
