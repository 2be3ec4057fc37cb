/**
 * Defence in depth for answers: the host already rendered and sanitized the HTML, and the CSP forbids inline
 * script anyway, but it is still parsed in an inert <template> and filtered against the same tag/attribute
 * allowlist (../allowlist.ts, shared with the host's sanitizer) before it reaches the document.
 */
import { ALLOWED_MARKUP, allowedAttribute, SAFE_LINK } from '../allowlist';

/** Parses host HTML inertly and keeps only allowlisted elements and attributes, and only http(s)/mailto links. */
export function safeFragment(html: string): DocumentFragment {
  const template = document.createElement('template');
  template.innerHTML = html;
  const walk = (node: Element) => {
    for (const child of Array.from(node.children)) {
      const tag = child.tagName.toLowerCase();
      // An element in another namespace (svg, math) keeps its case: it is never the HTML tag of the same name.
      if (child.namespaceURI !== 'http://www.w3.org/1999/xhtml' || !Object.prototype.hasOwnProperty.call(ALLOWED_MARKUP, tag)) {
        child.replaceWith(document.createTextNode(child.textContent ?? ''));
        continue;
      }
      for (const attr of Array.from(child.attributes)) {
        if (!allowedAttribute(tag, attr.name)) child.removeAttribute(attr.name);
      }
      if (tag === 'a') {
        const href = child.getAttribute('href') ?? '';
        if (!SAFE_LINK.test(href)) child.removeAttribute('href');
        child.setAttribute('rel', 'noreferrer noopener');
      }
      walk(child);
    }
  };
  walk(template.content as unknown as Element);
  return template.content;
}
