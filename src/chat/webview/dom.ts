/** The two element builders the webview is made of: attributes by name, `text` set as text (never as HTML). */

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<Record<string, string>> = {}, ...children: Array<Node | string>): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined) continue;
    if (k === 'text') node.textContent = v;
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c);
  return node;
}

/** A button whose click is handled by its `data-action` (one delegated listener serves them all). */
export function button(label: string, action: string, extra: Partial<Record<string, string>> = {}): HTMLButtonElement {
  return el('button', { type: 'button', 'data-action': action, text: label, ...extra });
}
