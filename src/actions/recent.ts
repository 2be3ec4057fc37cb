/** The "recent instructions" offered again by Transform Selection…: newest first, no duplicates, bounded. */

export const MAX_RECENT = 12;

export function rememberInstruction(recent: readonly string[], instruction: string, max = MAX_RECENT): string[] {
  const trimmed = instruction.trim().replace(/\s+/g, ' ');
  if (!trimmed) return [...recent];
  const key = trimmed.toLowerCase();
  return [trimmed, ...recent.filter((r) => r.trim().replace(/\s+/g, ' ').toLowerCase() !== key)].slice(0, max);
}

export function forgetInstruction(recent: readonly string[], instruction: string): string[] {
  return recent.filter((r) => r !== instruction);
}

export interface InstructionPick {
  label: string;
  /** The instruction this item runs. */
  instruction: string;
  recent: boolean;
}

/**
 * What the QuickPick lists for the text typed so far: the typed text first (so Enter runs what was typed), then
 * the recent instructions that contain it.
 */
export function instructionPicks(recent: readonly string[], typed: string): InstructionPick[] {
  const query = typed.trim().toLowerCase();
  const matching = recent.filter((r) => r.toLowerCase().includes(query));
  const picks: InstructionPick[] = [];
  if (query && !matching.some((r) => r.toLowerCase() === query)) picks.push({ label: typed.trim(), instruction: typed.trim(), recent: false });
  for (const r of matching) picks.push({ label: r, instruction: r, recent: true });
  return picks;
}

/** Where the list is kept: the extension's global state (`vscode.Memento` fits). */
export interface InstructionStorage {
  get<T>(key: string, defaultValue: T): T;
  update(key: string, value: unknown): PromiseLike<void>;
}

const RECENT_KEY = 'hearth.actions.recentInstructions';

export class RecentInstructions {
  constructor(private readonly storage: InstructionStorage) {}

  list(): string[] {
    return this.storage.get<string[]>(RECENT_KEY, []);
  }

  async remember(instruction: string): Promise<void> {
    await this.storage.update(RECENT_KEY, rememberInstruction(this.list(), instruction));
  }
}
