/** A record of every suggestion handed to VS Code, for the integration tests' staleness checks. No `vscode` here. */

export interface ShownEntry {
  uri: string;
  /** The document version the suggestion was computed for, and the version when it was handed over. */
  requestedVersion: number;
  servedVersion: number;
  text: string;
  fromCache: boolean;
}

const MAX_ENTRIES = 500;

/** Appends, dropping the oldest entries beyond the last 500. */
export function recordShown(log: ShownEntry[], entry: ShownEntry): void {
  log.push(entry);
  if (log.length > MAX_ENTRIES) log.splice(0, log.length - MAX_ENTRIES);
}
