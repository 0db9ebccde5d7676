import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A tool's answer as the command line prints it: the same text the MCP tool returns, images
 * written to files (a terminal shows no pictures; an agent opens the file), links to files named
 * when the text does not name them already; and the exit code.
 */

/** The exit codes: the command did what it said; the action itself failed; a usage or environment error. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** The `_meta` key of tool results that says how a call failed (src/tools/response.ts FAILURE_META). */
const FAILURE_META = 'legible/failure';

export interface CallResult {
  content?: { type: string; text?: string; data?: string; mimeType?: string; uri?: string; name?: string }[];
  isError?: boolean;
  _meta?: Record<string, unknown>;
}

export interface Printed {
  exitCode: number;
  text: string;
  /** Files the command line wrote (images). */
  images: string[];
  /** Files the answer links to that its text does not name. */
  files: string[];
  failure?: string;
}

/**
 * 0 when the call did what it said (a click that worked, whatever its request answered); 1 when
 * the action failed (no such element, a stale ref, a timeout) or a journey failed; 2 for a usage
 * or environment error, and for a journey run that checked too little to tell (as `legible-mcp
 * run` exits). An error without Legible's mark comes from the protocol layer
 * (arguments the tool's schema refused, an unknown tool): a usage error.
 */
export function exitCodeOf(result: CallResult): { code: number; failure?: string } {
  const failure = typeof result._meta?.[FAILURE_META] === 'string' ? (result._meta[FAILURE_META] as string) : undefined;
  if (failure === 'action' || failure === 'verdict') return { code: EXIT.failed, failure };
  if (failure === 'usage' || failure === 'environment' || failure === 'unchecked') return { code: EXIT.usage, failure };
  if (result.isError) return { code: EXIT.usage, failure: 'usage' };
  return { code: EXIT.ok };
}

const EXTENSIONS: Record<string, string> = { 'image/webp': 'webp', 'image/png': 'png', 'image/jpeg': 'jpg' };

/**
 * The SDK's message for arguments the tool's schema refused ("MCP error -32602: Input validation
 * error: Invalid arguments for tool wait_for: Too big: …") as one line in Legible's form.
 */
function tidyProtocolError(text: string, command: string): string {
  const match = /^MCP error -?\d+: Input validation error: Invalid arguments for tool \S+: ([\s\S]*)$/.exec(text.trim());
  if (!match) {
    const missing = /Tool (\S+) not found/.exec(text);
    if (missing) return `Error: This daemon does not offer ${missing[1]} (it was started with --no-evaluate, or by another version of Legible).\nNext: legible daemon stop, then run the command again.`;
    return `Error: ${text.replace(/^MCP error -?\d+: /, '')}`;
  }
  return `Error: ${match[1]!.replace(/\s+/g, ' ').replace(/\.?$/, '.')}\nNext: run legible ${command} --help for its arguments.`;
}

/**
 * Renders one answer; writes its images into `imageDir`, named after `stem`. `translate` puts the
 * tools' advice into command-line form (hints.ts).
 */
export function printResult(result: CallResult, imageDir: () => string, command: string, translate: (text: string) => string = (text) => text): Printed {
  const stem = command.replace(/ /g, '-');
  const { code, failure } = exitCodeOf(result);
  const lines: string[] = [];
  const images: string[] = [];
  const files: string[] = [];
  const content = result.content ?? [];
  const texts = content.filter((c) => c.type === 'text').map((c) => c.text ?? '');
  const fromProtocol = result.isError && result._meta?.[FAILURE_META] === undefined;
  lines.push(...(fromProtocol ? texts.map((text) => tidyProtocolError(text, command)) : texts.map(translate)));
  // The daemon refused the arguments (it names the tool's parameters): point to the command's own help.
  if (failure === 'usage' && !fromProtocol && /^Error: (Invalid arguments|The arguments of|Unknown argument)/.test(texts[0] ?? '')) lines.push(`Help: legible ${command} --help`);
  const said = texts.join('\n');
  // An image the answer already saved (a screenshot's path, a filmstrip) is not written again.
  const saved = [...said.matchAll(/(\/\S+\.(?:webp|png|jpe?g))\b/g)].some((match) => existsSync(match[1]!));
  let n = 0;
  for (const item of content) {
    if (item.type === 'image' && item.data && !saved) {
      const dir = imageDir();
      mkdirSync(dir, { recursive: true });
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      const path = join(dir, `${stem}-${stamp}${n++ ? `-${n}` : ''}.${EXTENSIONS[item.mimeType ?? ''] ?? 'bin'}`);
      writeFileSync(path, Buffer.from(item.data, 'base64'));
      images.push(path);
      lines.push(`Image: ${path}`);
    } else if (item.type === 'resource_link' && item.uri) {
      const path = item.uri.startsWith('file://') ? fileURLToPath(item.uri) : item.uri;
      const name = item.name ?? path;
      if (said.includes(path) || said.includes(name)) continue;
      files.push(path);
      lines.push(`File: ${path}`);
    }
  }
  return { exitCode: code, text: lines.join('\n'), images, files, ...(failure ? { failure } : {}) };
}
