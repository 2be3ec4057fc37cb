/**
 * The `<file>.partial` a download writes into. Its sha256 always covers exactly the bytes on disk: it starts
 * over the bytes an earlier attempt left, and a chunk joins it only once written, so a resume after any failure
 * (cancel, stall, dropped connection, full disk) continues a hash that matches the file.
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream, promises as fsp } from 'node:fs';

export class PartialFile {
  private handle: fsp.FileHandle | undefined;

  private constructor(
    readonly path: string,
    private hash: Hash,
    private bytes: number,
  ) {}

  /** Reads what an earlier attempt left at `path` (nothing if absent); the file is created on the first append. */
  static async load(path: string): Promise<PartialFile> {
    const hash = createHash('sha256');
    const stat = await fsp.stat(path).catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? undefined : Promise.reject(e)));
    const size = stat?.isFile() ? stat.size : 0;
    // Bounded by the size seen now: a device or a growing file must not make this read forever.
    if (size > 0) for await (const chunk of createReadStream(path, { start: 0, end: size - 1 })) hash.update(chunk as Buffer);
    return new PartialFile(path, hash, size);
  }

  get size(): number {
    return this.bytes;
  }

  /** The hex sha256 of the bytes written so far (the running hash goes on). */
  sha256(): string {
    return this.hash.copy().digest('hex');
  }

  async append(chunk: Buffer): Promise<void> {
    this.handle ??= await fsp.open(this.path, 'a');
    for (let done = 0; done < chunk.length; ) {
      const { bytesWritten } = await this.handle.write(chunk, done, chunk.length - done);
      this.hash.update(chunk.subarray(done, done + bytesWritten));
      this.bytes += bytesWritten;
      done += bytesWritten;
    }
  }

  /** Deletes the file and starts over from byte 0 (the server will not resume, or the bytes are of another file). */
  async discard(): Promise<void> {
    await this.close();
    await fsp.rm(this.path, { force: true });
    this.hash = createHash('sha256');
    this.bytes = 0;
  }

  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close();
  }
}
