/**
 * Sizes as operators write them for disk budgets: `512MiB`, `2GiB`, `1.5 GB`, `100000000` (bytes).
 * Binary units (KiB, MiB, GiB, TiB) are powers of 1024, decimal ones (kB, MB, GB, TB) of 1000, as
 * df -h and du print them respectively; a bare number is bytes.
 */

const UNIT_BYTES: Record<string, number> = {
  b: 1,
  kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12,
  kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, tib: 2 ** 40,
};

export const SIZE_PATTERN = '^\\s*[0-9]+(\\.[0-9]+)?\\s*([kKmMgGtT][iI]?[bB]|[bB])?\\s*$';
const SIZE = new RegExp(SIZE_PATTERN);

/** Bytes (rounded down), or null when the text is not a size. */
export function parseSize(text: string): number | null {
  if (!SIZE.test(text)) return null;
  const match = /([0-9.]+)\s*([a-z]*)/i.exec(text.trim())!;
  const unit = UNIT_BYTES[(match[2] ?? '').toLowerCase() || 'b'];
  if (unit === undefined) return null;
  return Math.floor(Number(match[1]) * unit);
}

/** `1073741824` → `1 GiB`, `1536` → `1.5 KiB`: for messages, in binary units. */
export function formatSize(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let index = 0;
  while (Math.abs(value) >= 1024 && index < units.length - 1) {
    value /= 1024;
    index += 1;
  }
  const shown = index === 0 || value >= 100 ? String(Math.round(value)) : String(Math.round(value * 10) / 10);
  return `${shown} ${units[index]}`;
}
