/**
 * Refuses a download the disk cannot hold before a byte is fetched, rather than failing near the end of a
 * gigabyte. The margin leaves room for the editor and the system to keep writing.
 */
import { promises as fsp } from 'node:fs';
import { DownloadError } from './downloadErrors';

export const DISK_MARGIN_BYTES = 64 * 1024 * 1024;

/** Free bytes the current user may write in `dir`. */
export type FreeBytes = (dir: string) => Promise<number>;

export const statfsFreeBytes: FreeBytes = async (dir) => {
  const stats = await fsp.statfs(dir);
  return stats.bavail * stats.bsize;
};

/** Throws DISK_FULL unless `dir` has room for `neededBytes` more plus the margin. */
export async function ensureFreeSpace(dir: string, neededBytes: number, freeBytes: FreeBytes = statfsFreeBytes): Promise<void> {
  if (neededBytes <= 0) return;
  const free = await freeBytes(dir);
  if (free >= neededBytes + DISK_MARGIN_BYTES) return;
  throw new DownloadError(
    'DISK_FULL',
    `Not enough disk space in ${dir}: the model needs ${formatBytes(neededBytes)} more (and ${formatBytes(DISK_MARGIN_BYTES)} to spare), ${formatBytes(free)} is free. Free some space and try again.`,
  );
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}
