/** Whether completions run in a document right now. No `vscode` here. */
import { isUserDocumentScheme } from '../common/documents';
import { languageEnabled, type CompletionSettings } from './settings';

export interface GateDocument {
  languageId: string;
  uri: { scheme: string };
}

/** On, not snoozed, on for the document's language, and a document the user writes in (no output pane, SCM input…). */
export function completesIn(settings: CompletionSettings, snoozed: boolean, document: GateDocument | undefined): boolean {
  return document !== undefined && settings.enabled && !snoozed
    && languageEnabled(settings, document.languageId) && isUserDocumentScheme(document.uri.scheme);
}
