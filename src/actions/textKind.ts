/** Whether a document holds code, prose or Markdown: prompts and cleaning differ for each. */

export type TextKind = 'code' | 'prose' | 'markdown';

const MARKDOWN = new Set(['markdown', 'mdx', 'quarto', 'rmd']);
const PROSE = new Set(['plaintext', 'text', 'restructuredtext', 'asciidoc', 'latex', 'tex', 'bibtex', 'org', 'git-commit', 'scminput']);

export function textKind(languageId: string): TextKind {
  if (MARKDOWN.has(languageId)) return 'markdown';
  if (PROSE.has(languageId)) return 'prose';
  return 'code';
}

/** A readable name for the language in a prompt ("TypeScript code", "Markdown", "text"). */
export function languageLabel(languageId: string): string {
  const names: Record<string, string> = {
    typescript: 'TypeScript', typescriptreact: 'TypeScript (TSX)', javascript: 'JavaScript', javascriptreact: 'JavaScript (JSX)',
    python: 'Python', rust: 'Rust', go: 'Go', java: 'Java', csharp: 'C#', cpp: 'C++', c: 'C', shellscript: 'shell script',
    markdown: 'Markdown', plaintext: 'plain text', json: 'JSON', yaml: 'YAML', html: 'HTML', css: 'CSS', sql: 'SQL',
  };
  return names[languageId] ?? languageId;
}
