import type { KeyValueStorage } from '../../src/chat/history';

/** A Memento-like map that round-trips through JSON, as workspace state does. */
export class MemoryStorage implements KeyValueStorage {
  readonly data = new Map<string, string>();
  get<T>(key: string): T | undefined {
    const raw = this.data.get(key);
    return raw === undefined ? undefined : (JSON.parse(raw) as T);
  }
  async update(key: string, value: unknown): Promise<void> {
    if (value === undefined) this.data.delete(key);
    else this.data.set(key, JSON.stringify(value));
  }
}
