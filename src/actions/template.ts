/**
 * `{{name}}` substitution for custom action prompts. One pass over the template, so text inserted for a
 * variable (a selection that itself contains "{{language}}") is never substituted again.
 */

export interface TemplateVariables {
  selection: string;
  language: string;
  fileName: string;
  [name: string]: string;
}

const VARIABLE = /\{\{\s*([A-Za-z_][\w]*)\s*\}\}/g;

/** Unknown names stay as written so a typo is visible in the result instead of silently vanishing. */
export function substitute(template: string, variables: Record<string, string>): string {
  return template.replace(VARIABLE, (whole, name: string) => (Object.prototype.hasOwnProperty.call(variables, name) ? variables[name] : whole));
}

export function usesVariable(template: string, name: string): boolean {
  for (const match of template.matchAll(VARIABLE)) if (match[1] === name) return true;
  return false;
}

/**
 * The user message of a custom action. A template without `{{selection}}` would send the model nothing to
 * work on, so the selection is appended after it.
 */
export function renderCustomPrompt(template: string, variables: TemplateVariables): string {
  const rendered = substitute(template, variables);
  if (usesVariable(template, 'selection')) return rendered;
  return `${rendered.trimEnd()}\n\n${variables.selection}`;
}
