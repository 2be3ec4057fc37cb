/**
 * Small text facts only the completion pipeline needs: rendering indentation in a document's style, which
 * characters close what, and the comment syntax used for the prompt's header lines. The ones every capability
 * needs (indent widths, EOLs, token estimates) are in common/text.ts. No `vscode` here.
 */

export interface IndentStyle {
  useTabs: boolean;
  /** Columns per indentation level (and per tab). */
  size: number;
}

export const CLOSERS: Readonly<Record<string, string>> = { ')': '(', ']': '[', '}': '{' };
export const QUOTES = new Set(['"', "'", '`']);

export function renderIndent(width: number, style: IndentStyle): string {
  if (!style.useTabs) return ' '.repeat(width);
  return '\t'.repeat(Math.floor(width / style.size)) + ' '.repeat(width % style.size);
}

/** Text after the cursor that VS Code's auto-closing typically leaves there: nothing worth a cache miss. */
export function isClosersOnly(text: string): boolean {
  return /^[\s)\]}"'`;,>]*$/.test(text);
}

/** Whether a line (up to the cursor) opens a block whose body goes on the following lines. */
export function opensBlock(linePrefix: string, languageId: string): boolean {
  const t = linePrefix.trimEnd();
  if (t.length === 0) return false;
  if (/[{([]$/.test(t)) return true;
  if (/(=>|->)$/.test(t)) return true;
  if (/:$/.test(t) && !/::$/.test(t)) {
    // `label:` in C-like code or `a ? b :` is not a block; Python, YAML and friends use the colon for blocks.
    return ['python', 'yaml', 'nim', 'cython', 'coffeescript', 'gdscript', 'markdown', 'plaintext'].includes(languageId)
      || /^\s*(case\b.*|default)\s*:$/.test(t);
  }
  if (/\b(then|do|else|begin)$/.test(t) && ['shellscript', 'lua', 'ruby', 'elixir', 'pascal', 'julia', 'bat', 'vb'].includes(languageId)) return true;
  return /^\s*(def|class|if|elif|else|for|while|with|try|except|finally)\b.*:$/.test(t);
}

const HASH_COMMENT = new Set([
  'python', 'yaml', 'shellscript', 'ruby', 'perl', 'r', 'toml', 'dockerfile', 'makefile', 'powershell', 'coffeescript',
  'elixir', 'julia', 'nim', 'cmake', 'properties', 'ini', 'graphql', 'gdscript', 'plaintext', 'dotenv', 'jsonl',
]);
const DASH_COMMENT = new Set(['sql', 'lua', 'haskell', 'elm', 'ada', 'vhdl']);
const SEMI_COMMENT = new Set(['clojure', 'lisp', 'scheme', 'racket', 'ini']);
const PERCENT_COMMENT = new Set(['latex', 'tex', 'matlab', 'erlang', 'prolog', 'bibtex']);
const MARKUP = new Set(['html', 'xml', 'markdown', 'vue', 'svelte', 'xsl', 'svg']);

/** One comment line in the language (markup gets `<!-- -->`), used for the file header and context chunk titles. */
export function commentLine(languageId: string, text: string): string {
  if (MARKUP.has(languageId)) return `<!-- ${text} -->`;
  if (HASH_COMMENT.has(languageId)) return `# ${text}`;
  if (DASH_COMMENT.has(languageId)) return `-- ${text}`;
  if (SEMI_COMMENT.has(languageId)) return `; ${text}`;
  if (PERCENT_COMMENT.has(languageId)) return `% ${text}`;
  if (languageId === 'vb' || languageId === 'bat') return `REM ${text}`;
  return `// ${text}`;
}
