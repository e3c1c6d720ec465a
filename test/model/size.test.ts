import { describe, expect, it } from 'vitest';
import { formatSize, parseSize } from '../../src/model/size.js';

describe('sizes for disk budgets', () => {
  it.each([
    ['1GiB', 2 ** 30],
    ['512MiB', 512 * 2 ** 20],
    ['1.5 GB', 1.5e9],
    ['48KiB', 48 * 1024],
    ['100kb', 100_000],
    ['2TiB', 2 * 2 ** 40],
    ['1000', 1000],
    ['  64 B ', 64],
  ])('%s is %d bytes', (text, bytes) => {
    expect(parseSize(text)).toBe(bytes);
  });

  it.each(['', 'GiB', '1 gigabyte', '-5MiB', '1e9', '1,5GB', '3 XB'])('%j is not a size', (text) => {
    expect(parseSize(text)).toBeNull();
  });

  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [40_000, '39.1 KiB'],
    [2 ** 30, '1 GiB'],
    [1.5 * 2 ** 30, '1.5 GiB'],
    [300 * 2 ** 20, '300 MiB'],
  ])('%d bytes read %s', (bytes, text) => {
    expect(formatSize(bytes)).toBe(text);
  });
});
