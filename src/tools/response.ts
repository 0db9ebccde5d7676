import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { LegibleError, errorMessage, type FailureKind } from '../util/errors.js';
import { logWarn } from '../util/log.js';
import { clip, printable } from '../util/text.js';

/**
 * The `_meta` key that says how a call failed: an error's kind, or "verdict" / "unchecked" for a
 * journey run that found a bug / could not tell. The `legible` command line turns it into its
 * exit code (1, or 2 for usage, environment and unchecked); MCP clients may ignore it.
 */
export const FAILURE_META = 'legible/failure';

type Content = CallToolResult['content'][number];

/**
 * No answer's text is longer than this. A safety net only: every surface has its own, smaller
 * budget, so an answer that reaches it points at a surface to fix (it is logged on stderr).
 */
export const MAX_ANSWER_CHARS = 48_000;

/** The text cut to the overall budget, saying so. */
export function capAnswer(text: string): string {
  if (text.length <= MAX_ANSWER_CHARS) return text;
  logWarn(`an answer of ${text.length} characters was cut to ${MAX_ANSWER_CHARS}: ${JSON.stringify(text.slice(0, 80))}`);
  return `${clip(text, MAX_ANSWER_CHARS - 200)}
[Answer cut at ${MAX_ANSWER_CHARS.toLocaleString('en-US')} of ${text.length.toLocaleString('en-US')} characters. Ask for less: a ref, search, filter or offset.]`;
}

/**
 * Collects what a handler wants to say (text sections, images, links to files) and renders one
 * MCP result. Handlers never build content arrays themselves.
 */
export class ToolResponse {
  private readonly sections: string[] = [];
  private readonly extra: Content[] = [];
  private failed = false;
  private failure: FailureKind | 'verdict' | 'unchecked' | undefined;

  text(section: string): this {
    if (section) this.sections.push(section);
    return this;
  }

  image(data: Buffer, mimeType: string): this {
    this.extra.push({ type: 'image', data: data.toString('base64'), mimeType });
    return this;
  }

  fileLink(path: string, mimeType: string, description?: string): this {
    const name = path.split('/').pop() ?? path;
    this.extra.push({ type: 'resource_link', uri: `file://${path}`, name, mimeType, ...(description ? { description } : {}) });
    return this;
  }

  /** A link to an MCP resource the client can read (recordings and filmstrips). */
  resourceLink(uri: string, name: string, mimeType: string, description?: string): this {
    this.extra.push({ type: 'resource_link', uri, name, mimeType, ...(description ? { description } : {}) });
    return this;
  }

  error(error: unknown): this {
    this.failed = true;
    this.failure = error instanceof LegibleError ? error.kind : 'action';
    // Errors often quote what they were given, or what the browser said about it: never raw control characters.
    if (error instanceof LegibleError) {
      this.sections.push(printable(error.hint ? `Error: ${error.message}\nNext: ${error.hint}` : `Error: ${error.message}`).replace(/\\u000a/g, '\n'));
    } else {
      this.sections.push(printable(`Error: ${clip(errorMessage(error), 1_000)}`).replace(/\\u000a/g, '\n'));
    }
    return this;
  }

  /**
   * The call did its work but the verdict is not "passed" (a journey run): `failed` found a bug,
   * `unchecked` could not tell (incomplete, or the app was unreachable). Not an error.
   */
  verdict(outcome: 'failed' | 'unchecked'): this {
    this.failure ??= outcome === 'failed' ? 'verdict' : 'unchecked';
    return this;
  }

  /** Puts a notice (for example: the browser was relaunched) before everything else. */
  notice(text: string): this {
    this.sections.unshift(`Notice: ${text}`);
    return this;
  }

  isError(): boolean {
    return this.failed;
  }

  build(): CallToolResult {
    const content: Content[] = [];
    if (this.sections.length) content.push({ type: 'text', text: capAnswer(this.sections.join('\n')) });
    content.push(...this.extra);
    if (!content.length) content.push({ type: 'text', text: 'Done.' });
    const meta = this.failure ? { _meta: { [FAILURE_META]: this.failure } } : {};
    return this.failed ? { content, isError: true, ...meta } : { content, ...meta };
  }
}
