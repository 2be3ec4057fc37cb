/**
 * Defence in depth for answers: the host already rendered and sanitized the HTML, and the CSP forbids inline
 * script anyway, but it is still parsed in an inert <template> and filtered against the same tag/attribute
 * allowlist before it reaches the document.
 */
const ALLOWED_TAGS = new Set('P BR HR EM STRONG S DEL CODE PRE SPAN BLOCKQUOTE UL OL LI H1 H2 H3 H4 H5 H6 TABLE THEAD TBODY TR TH TD A SUP SUB KBD'.split(' '));
const ALLOWED_ATTRS = new Set(['class', 'href', 'title', 'start', 'data-block']);

/** Parses host HTML inertly and keeps only allowlisted elements and attributes, and only http(s)/mailto links. */
export function safeFragment(html: string): DocumentFragment {
  const template = document.createElement('template');
  template.innerHTML = html;
  const walk = (node: Element) => {
    for (const child of Array.from(node.children)) {
      if (!ALLOWED_TAGS.has(child.tagName)) {
        child.replaceWith(document.createTextNode(child.textContent ?? ''));
        continue;
      }
      for (const attr of Array.from(child.attributes)) {
        if (!ALLOWED_ATTRS.has(attr.name)) child.removeAttribute(attr.name);
      }
      if (child.tagName === 'A') {
        const href = child.getAttribute('href') ?? '';
        if (!/^(https?:\/\/|mailto:)/i.test(href)) child.removeAttribute('href');
        child.setAttribute('rel', 'noreferrer noopener');
      }
      walk(child);
    }
  };
  walk(template.content as unknown as Element);
  return template.content;
}
