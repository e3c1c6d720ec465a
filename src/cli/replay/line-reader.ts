/**
 * Reads a text file line by line, synchronously, in large chunks. Replay reads millions of lines:
 * readline's async iterator costs a promise and a microtask turn per line, and that was a visible
 * share of replay's time; a 4 MiB `readSync` and `indexOf('\n')` cost nothing per line but a slice.
 *
 * Lines end at `\n`; a `\r` before it is dropped, as is a UTF-8 byte order mark at the start. A
 * multi-byte character split between two chunks is kept whole by the StringDecoder. Chunks of
 * plain ASCII (most exports) are read as latin1, which V8 copies into a one-byte string without
 * UTF-8 decoding; after the first chunk that is not, the decoder reads the rest.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { isAscii } from 'node:buffer';
import { StringDecoder } from 'node:string_decoder';

export const CHUNK_BYTES = 4 << 20;

/**
 * Calls `onLine(text, lineNumber)` for every line (1-based numbers, blank lines included) and
 * `onChunk(bytesRead)` after each chunk, with the bytes read so far.
 */
export function forEachLine(
  path: string,
  onLine: (text: string, lineNumber: number) => void,
  onChunk: (bytesRead: number) => void = () => {},
  chunkBytes: number = CHUNK_BYTES,
): void {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(chunkBytes);
    const decoder = new StringDecoder('utf8');
    let rest = '';
    let lineNumber = 0;
    let bytesRead = 0;
    let first = true;
    let ascii = true;
    for (;;) {
      const n = readSync(fd, buffer, 0, chunkBytes, null);
      const bytes = buffer.subarray(0, n);
      if (ascii && !isAscii(bytes)) ascii = false;
      const text = rest + (ascii ? bytes.toString('latin1') : n > 0 ? decoder.write(bytes) : decoder.end());
      let start = 0;
      if (first && text.length > 0) {
        // The first character, even when its bytes came in several chunks.
        if (text.charCodeAt(0) === 0xfeff) start = 1;
        first = false;
      }
      for (;;) {
        const newline = text.indexOf('\n', start);
        if (newline === -1) break;
        const end = newline > start && text.charCodeAt(newline - 1) === 13 ? newline - 1 : newline;
        onLine(text.slice(start, end), ++lineNumber);
        start = newline + 1;
      }
      rest = text.slice(start);
      bytesRead += n;
      if (n === 0) {
        // The last line has no newline.
        if (rest !== '') onLine(rest.charCodeAt(rest.length - 1) === 13 ? rest.slice(0, -1) : rest, ++lineNumber);
        return;
      }
      onChunk(bytesRead);
    }
  } finally {
    closeSync(fd);
  }
}
