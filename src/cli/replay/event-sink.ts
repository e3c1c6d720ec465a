/**
 * Where replay's events go, written in batches: one `writeSync` per ~1 MiB of NDJSON instead of a
 * stream write per event (a stream buffers without bound when the engine outruns the disk).
 * A file is written under a temporary name and renamed by `commit`, so a failed replay leaves no
 * half file behind; `discard` removes it.
 */
import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';

const FLUSH_AT = 1 << 20;

export class EventSink {
  private pending: string[] = [];
  private pendingLength = 0;
  private readonly fd: number | null;
  private readonly temporary: string | null;
  private readonly target: string | undefined;
  private readonly stdout: (text: string) => void;

  constructor(target: string | undefined, stdout: (text: string) => void) {
    this.target = target;
    this.stdout = stdout;
    this.temporary = target === undefined ? null : `${target}.partial-${process.pid}`;
    this.fd = this.temporary === null ? null : openSync(this.temporary, 'w');
  }

  write(line: string): void {
    this.pending.push(line);
    this.pendingLength += line.length;
    if (this.pendingLength >= FLUSH_AT) this.flush();
  }

  flush(): void {
    if (this.pending.length === 0) return;
    const text = this.pending.join('');
    this.pending = [];
    this.pendingLength = 0;
    if (this.fd === null) this.stdout(text);
    else writeSync(this.fd, text);
  }

  /** Writes what is left and puts the file in place. */
  commit(): void {
    this.flush();
    if (this.fd !== null && this.temporary !== null && this.target !== undefined) {
      closeSync(this.fd);
      renameSync(this.temporary, this.target);
    }
  }

  /** Drops the partial file (nothing for standard output: what went out is out). */
  discard(): void {
    this.pending = [];
    this.pendingLength = 0;
    if (this.fd !== null && this.temporary !== null) {
      closeSync(this.fd);
      rmSync(this.temporary, { force: true });
    }
  }
}
