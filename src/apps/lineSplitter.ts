import { plural } from '../util/text.js';

/**
 * Splits a process's output (decoded text chunks) into lines. A line longer than `maxLength` is
 * cut there with a marker and the rest of it skipped, so one endless line (a minified bundle, a
 * binary blob) cannot take memory; carriage-return progress bars keep their last state; terminal
 * colours are removed.
 */
export class LineSplitter {
  private carry = '';
  /** Characters skipped of the current over-long line; -1 when not skipping. */
  private skipped = -1;

  constructor(
    private readonly emit: (line: string) => void,
    readonly maxLength = 16_384,
  ) {}

  push(chunk: string): void {
    let start = 0;
    for (;;) {
      const end = chunk.indexOf('\n', start);
      if (end < 0) break;
      if (this.skipped >= 0) {
        this.finishSkipped(end - start);
      } else if (this.carry) {
        const line = this.carry + chunk.slice(start, end);
        this.carry = '';
        this.line(line);
      } else {
        this.line(chunk.slice(start, end));
      }
      start = end + 1;
    }
    if (start >= chunk.length) return;
    const rest = start ? chunk.slice(start) : chunk;
    if (this.skipped >= 0) {
      this.skipped += rest.length;
      return;
    }
    this.carry += rest;
    if (this.carry.length > this.maxLength) {
      this.skipped = this.carry.length - this.maxLength;
      this.carry = this.carry.slice(0, this.maxLength);
    }
  }

  /** The output ended: the last line, even without a newline. */
  end(): void {
    if (this.skipped >= 0) this.finishSkipped(0);
    else if (this.carry) {
      const line = this.carry;
      this.carry = '';
      this.line(line);
    }
  }

  private finishSkipped(more: number): void {
    const kept = this.carry;
    const skipped = this.skipped + more;
    this.carry = '';
    this.skipped = -1;
    this.line(kept, skipped);
  }

  /** One line; `skipped` characters of it were already left out. */
  private line(raw: string, skipped = 0): void {
    const over = skipped + Math.max(0, raw.length - this.maxLength);
    let line = over ? `${raw.slice(0, this.maxLength)}… [line cut: ${plural(over, 'more character', 'more characters')}]` : raw;
    if (line.charCodeAt(line.length - 1) === 13) line = line.slice(0, -1);
    const cr = line.lastIndexOf('\r');
    if (cr >= 0) line = line.slice(cr + 1);
    if (line.includes('\u001b')) line = line.replace(ANSI, '');
    this.emit(line);
  }
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b(?:\[[0-9;?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\)|[@-Z\\-_])/g;
