import { plural } from '../util/text.js';

/**
 * Groups output lines into log entries, so a stack trace stays one entry with the message it
 * belongs to: JavaScript and Java frames (`    at …`, `... 3 more`, `Caused by:`), the properties
 * Node prints after an error's frames (`  code: 'ECONNREFUSED'`, `}`), Node's report of an uncaught
 * exception (`/srv/app.js:12`, the source line, the caret, the error, its frames, `Node.js v20`),
 * and Python tracebacks. Blank lines are dropped. An entry is bounded in lines and characters.
 *
 * The owner calls `flush()` when no line came for a moment (the last entry may still grow until
 * then) and when the output ends.
 */

const FRAME = /^\s+(?:at\s|\.\.\. \d+ (?:more|common frames omitted))/;
const PYTHON_START = /^Traceback \(most recent call last\):/;
const NODE_PREAMBLE = /^(?:file:\/\/)?(?:\/|[A-Za-z]:\\)\S*:\d+$/;
const EXCEPTION_HEADER = /^(?:Uncaught\s+)?(?:[A-Z][\w$.]*)?(?:Error|Exception)\b/;
const CARET = /^\s*\^+\s*$/;

type Kind = 'plain' | 'preamble' | 'source' | 'caret' | 'header' | 'stack' | 'python';

export class EntryAssembler {
  private lines: string[] = [];
  private chars = 0;
  private omitted = 0;
  private kind: Kind = 'plain';
  private time = 0;

  constructor(
    private readonly emit: (entry: string, timeMs: number) => void,
    private readonly maxLines = 200,
    private readonly maxChars = 32_768,
  ) {}

  /** Whether an entry is waiting for more lines. */
  pending(): boolean {
    return this.lines.length > 0;
  }

  /** One line, received at `timeMs` (an entry keeps the time of its first line). */
  line(text: string, timeMs: number): void {
    if (!text.trim()) return;
    if (this.lines.length && this.continues(text)) {
      if (this.lines.length >= this.maxLines || this.chars + text.length > this.maxChars) this.omitted++;
      else {
        this.lines.push(text);
        this.chars += text.length + 1;
      }
      return;
    }
    this.flush();
    this.lines.push(text);
    this.time = timeMs;
    this.chars = text.length;
    this.kind = PYTHON_START.test(text) ? 'python' : NODE_PREAMBLE.test(text) ? 'preamble' : 'plain';
  }

  flush(): void {
    if (!this.lines.length) return;
    let entry = this.lines.length === 1 ? this.lines[0]! : this.lines.join('\n');
    if (this.omitted) entry += `\n… [${plural(this.omitted, 'more line', 'more lines')} of this entry left out]`;
    this.lines = [];
    this.chars = 0;
    this.omitted = 0;
    this.kind = 'plain';
    this.emit(entry, this.time);
  }

  private continues(text: string): boolean {
    if (FRAME.test(text)) {
      this.kind = 'stack';
      return true;
    }
    switch (this.kind) {
      case 'python':
        // Indented lines are frames and source; the first unindented one is the exception itself.
        if (!/^\s/.test(text)) this.kind = 'plain';
        return true;
      case 'preamble':
        // Node's uncaught-exception report: the source line, a caret under it, then the error.
        this.kind = 'source';
        return true;
      case 'source':
      case 'caret':
        if (EXCEPTION_HEADER.test(text)) {
          this.kind = 'header';
          return true;
        }
        if (this.kind === 'source' && CARET.test(text)) {
          this.kind = 'caret';
          return true;
        }
        return false;
      case 'stack':
        return /^[\s}\]]/.test(text) || text.startsWith('Caused by:') || /^Node\.js v\d+/.test(text);
      default:
        return false;
    }
  }
}
