/**
 * The one allowlist of the markup an answer may carry into the chat webview: each tag, with the attributes it may
 * keep. The host's sanitizer (sanitize.ts) and the webview's own filter (webview/safeHtml.ts) both read it, and the
 * webview fuzz test checks the real DOM against it, so the two filters cannot drift apart. Pure data: no DOM, no
 * `vscode`, loadable in the browser bundle.
 */
export const ALLOWED_MARKUP: Readonly<Record<string, readonly string[]>> = {
  p: [], br: [], hr: [], em: [], strong: [], s: [], del: [], code: ['class'], pre: ['class', 'data-block'], span: ['class'],
  blockquote: [], ul: [], ol: ['start'], li: [], h1: [], h2: [], h3: [], h4: [], h5: [], h6: [],
  table: [], thead: [], tbody: [], tr: [], th: [], td: [], a: ['href', 'title'], sup: [], sub: [], kbd: [],
};

/**
 * Elements the webview adds itself, never taken from an answer, always without attributes: a break opportunity in a
 * long unbroken run of text (webview/longRuns.ts).
 */
export const FILTER_ADDED_ELEMENTS: readonly string[] = ['wbr'];

/** Attributes the webview's filter sets itself: a link opens with no referrer and no opener. */
export const FILTER_ADDED_ATTRIBUTES: Readonly<Record<string, readonly string[]>> = { a: ['rel'] };

/** The link targets both filters keep (the host checks the entity-decoded value; a browser attribute is decoded). */
export const SAFE_LINK = /^(https?:\/\/|mailto:)/i;

export function allowedAttribute(tag: string, attribute: string): boolean {
  return Object.prototype.hasOwnProperty.call(ALLOWED_MARKUP, tag) && ALLOWED_MARKUP[tag].includes(attribute);
}
