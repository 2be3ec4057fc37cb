/**
 * Builds a llamafile-shaped file for tests: an executable-looking prefix followed by a zip archive whose
 * entries are stored (not compressed). Offsets are absolute file offsets, as llamafile's own tooling writes
 * them, unless `relativeOffsets` asks for offsets counted from the start of the zip (an archive glued on).
 */
import { Bytes } from './ggufBytes';

export interface ZipEntry {
  name: string;
  data: Buffer;
}

export function llamafileBytes(entries: readonly ZipEntry[], options: { prefix?: Buffer; relativeOffsets?: boolean } = {}): Buffer {
  const prefix = options.prefix ?? Buffer.concat([Buffer.from("MZqFpD='\n\x00", 'latin1'), Buffer.alloc(4096 - 11, 0x90)]);
  const base = options.relativeOffsets ? 0 : prefix.length;
  const body = new Bytes();
  const central = new Bytes();
  for (const entry of entries) {
    const offset = base + body.length;
    const name = Buffer.from(entry.name, 'utf8');
    // Local file header: signature, version 2.0, no flags, method 0 (stored), no date, crc left 0 (unchecked here).
    body.u32(0x04034b50).raw(u16(20)).raw(u16(0)).raw(u16(0)).raw(u16(0)).raw(u16(0)).u32(0)
      .u32(entry.data.length).u32(entry.data.length).raw(u16(name.length)).raw(u16(0)).raw(name).raw(entry.data);
    central.u32(0x02014b50).raw(u16(20)).raw(u16(20)).raw(u16(0)).raw(u16(0)).raw(u16(0)).raw(u16(0)).u32(0)
      .u32(entry.data.length).u32(entry.data.length).raw(u16(name.length)).raw(u16(0)).raw(u16(0))
      .raw(u16(0)).raw(u16(0)).u32(0).u32(offset).raw(name);
  }
  const directoryOffset = base + body.length;
  const eocd = new Bytes().u32(0x06054b50).raw(u16(0)).raw(u16(0)).raw(u16(entries.length)).raw(u16(entries.length))
    .u32(central.length).u32(directoryOffset).raw(u16(0));
  return Buffer.concat([prefix, body.toBuffer(), central.toBuffer(), eocd.toBuffer()]);
}

function u16(v: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(v);
  return b;
}
