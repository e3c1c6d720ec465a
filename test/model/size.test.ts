import { describe, expect, it } from 'vitest';
import { formatSize } from '../../src/model/size.js';

describe('sizes in messages', () => {
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
