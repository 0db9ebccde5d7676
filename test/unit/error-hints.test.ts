/**
 * Every error names a next step: no `new LegibleError(message)` (or UsageError) without a hint in
 * src, read with the TypeScript parser; an error that wraps another keeps its kind; and ffmpeg's failures on a real broken video are cut to
 * their root-cause line, with what to do.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { ffmpegReason, probeVideo } from '../../src/media/ffmpeg.js';
import { grabFrame } from '../../src/media/sideBySide.js';
import { LegibleError, UsageError } from '../../src/util/errors.js';

const SRC = join(import.meta.dirname, '..', '..', 'src');

/** Errors that are not shown on their own: an abort reason the run's verdict quotes as its cause. */
const WITHOUT_HINT = new Set(['report/runAndRecord.ts: new LegibleError(`the run reached its time limit of ${seconds(limit)} (--run-timeout)`)']);

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? sources(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : []));
}

describe('errors name a next step', () => {
  it('gives every LegibleError and UsageError in src a hint', () => {
    const missing: string[] = [];
    for (const file of sources(SRC)) {
      const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
      const visit = (node: ts.Node): void => {
        if (ts.isNewExpression(node) && /^(LegibleError|UsageError)$/.test(node.expression.getText())) {
          const hint = node.arguments?.[1];
          if (!hint || hint.getText() === 'undefined') {
            const where = `${relative(SRC, file)}: ${node.getText().replace(/\s+/g, ' ')}`;
            if (!WITHOUT_HINT.has(where)) missing.push(`${where.slice(0, 160)} (line ${source.getLineAndCharacterOfPosition(node.getStart()).line + 1})`);
          }
        }
        ts.forEachChild(node, visit);
      };
      visit(source);
    }
    expect(missing, 'errors without a hint: give each a second argument that says what to do next').toEqual([]);
  });
});

describe('what kind of failure an error is', () => {
  it('keeps the kind of the error it wraps (a usage error passed on in other words exits 2, not 1)', () => {
    const wrong = new UsageError('"yesterday" is not a time.', 'Write now or -15m.');
    expect(new LegibleError(`"time": ${wrong.message}`, wrong.hint, { cause: wrong }).kind).toBe('usage');
    expect(new LegibleError('Could not start.', 'Check it.', { cause: new LegibleError('x', 'y', { kind: 'environment' }) }).kind).toBe('environment');
    // A kind given wins; a cause that is not Legible's, or none, is an action's failure.
    expect(new LegibleError('x', 'y', { cause: wrong, kind: 'action' }).kind).toBe('action');
    expect(new LegibleError('x', 'y', { cause: new Error('z') }).kind).toBe('action');
    expect(new LegibleError('x', 'y').kind).toBe('action');
  });
});

describe("ffmpeg's failures on a broken video", () => {
  const dir = mkdtempSync(join(tmpdir(), 'legible-error-hints-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const broken = join(dir, 'broken.mp4');
  writeFileSync(broken, Buffer.concat([Buffer.from('not a video at all\n'), Buffer.alloc(4_000, 0x41)]));

  it('cuts the reason to its root-cause line and says what to do', async () => {
    for (const attempt of [() => grabFrame(broken, 500), async () => probeVideo(broken)]) {
      const error = await attempt().then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(LegibleError);
      const { message, hint } = error as LegibleError;
      expect(message).toContain(broken);
      expect(message).toMatch(/Invalid data found when processing input|moov atom not found/);
      expect(message.split('\n')).toHaveLength(1);
      expect(message.length).toBeLessThan(500);
      expect(hint).toContain('record it again');
    }
  });

  it('keeps at most 300 characters of one line', () => {
    const reason = ffmpegReason(`[Parsed_hstack_0 @ 0x1] ${'x'.repeat(5_000)}\n`);
    expect(reason.length).toBe(300);
    expect(reason.endsWith('…')).toBe(true);
  });
});
