import { readFile, writeFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import type { PageState } from '../actions/pageState.js';
import { formatBytes } from '../format/networkFormat.js';
import { annotateImage, type Mark } from '../media/annotate.js';
import { contactSheet } from '../media/contactSheet.js';
import { encodeImage } from '../media/image.js';
import { diffImages, type PixelDiff } from '../media/pixelDiff.js';
import { grabFrame } from '../media/sideBySide.js';
import type { RecordingInfo } from '../recording/store.js';
import { matchingMoments } from '../recording/align.js';
import { errorMessage, LegibleError, UsageError } from '../util/errors.js';
import { plural, quoteValue, truncate } from '../util/text.js';
import type { ToolContext } from './context.js';
import type { ToolResponse } from './response.js';

const MAX_EDGE = 1280;
const MAX_MARKS = 80;

/** Roles a person can act on: what an annotated screenshot numbers. */
const INTERACTIVE = new Set([
  'button', 'link', 'textbox', 'searchbox', 'checkbox', 'radio', 'combobox', 'listbox', 'option', 'slider', 'spinbutton',
  'switch', 'tab', 'menuitem', 'menuitemcheckbox', 'menuitemradio', 'treeitem',
]);

/** Runs in the page: the viewport boxes of refs (CSS px), for those visible in the viewport. */
function boxesOf(refs: string[]): { ref: string; x: number; y: number; width: number; height: number }[] {
  const registry = (window as unknown as Record<symbol, { refs: Map<string, WeakRef<Element>> } | undefined>)[Symbol.for('legible.refs')];
  const out = [];
  for (const ref of refs) {
    const el = registry?.refs.get(ref)?.deref();
    if (!el || !el.isConnected) continue;
    const r = el.getBoundingClientRect();
    if (r.width < 2 || r.height < 2 || r.bottom <= 0 || r.right <= 0 || r.top >= innerHeight || r.left >= innerWidth) continue;
    out.push({ ref, x: r.left, y: r.top, width: r.width, height: r.height });
  }
  return out;
}

/**
 * screenshot {annotate}: the viewport with a numbered box on each interactive element, and the
 * numbers mapped to refs (and names) in the text, so what a model sees it can act on.
 */
export async function annotatedScreenshot(state: PageState, response: ToolResponse): Promise<void> {
  const outline = await state.outline();
  const lines = outline.lines.filter((line) => line.ref && !line.ref.startsWith('f') && INTERACTIVE.has(line.role));
  const boxes = (await state.page.mainFrame().evaluate(boxesOf, lines.map((line) => line.ref))).slice(0, MAX_MARKS);
  const { data: png } = await state.page.capture(false);
  const cssWidth = await state.page.mainFrame().evaluate(() => innerWidth);
  const image = await encodeImage(png, { maxEdge: 16_384, format: 'png' });
  const scale = image.width / Math.max(1, cssWidth);
  const marks: Mark[] = boxes.map((box, i) => ({ x: box.x * scale, y: box.y * scale, width: box.width * scale, height: box.height * scale, label: String(i + 1) }));
  const drawn = await encodeImage(await annotateImage(png, marks), { maxEdge: MAX_EDGE, format: 'webp', quality: 80 });
  const byRef = new Map(lines.map((line) => [line.ref, line]));
  const legend = boxes.map((box, i) => `${i + 1} ${box.ref} ${truncate(byRef.get(box.ref)!.body.replace(/ \[ref=[^\]]*\]/, ""), 80)}`);
  const framed = outline.lines.some((line) => line.ref.startsWith('f') && INTERACTIVE.has(line.role));
  response.text(`Annotated viewport (${drawn.width}×${drawn.height}): ${plural(boxes.length, 'interactive element')} numbered; act on one by its ref.`);
  response.text(legend.join('\n') || '(no interactive element is in the viewport)');
  if (framed) response.text('Elements inside iframes are not numbered; a snapshot lists them.');
  response.image(drawn.data, drawn.mimeType);
}

/** screenshot {path: "x.pdf"}: the page printed to PDF (backgrounds kept). */
export async function savePdf(state: PageState, file: string, response: ToolResponse): Promise<void> {
  let pdf: Buffer;
  try {
    pdf = await state.page.pdf();
  } catch (error) {
    throw new LegibleError(`Could not print the page to PDF: ${errorMessage(error)}`, 'PDF needs a headless browser (not --headed, not an attached one).', { kind: 'environment' });
  }
  try {
    await writeFile(file, pdf);
  } catch (error) {
    throw new LegibleError(`Could not save the PDF to ${file}: ${errorMessage(error)}`, 'Check that the output folder is writable and has space, or pick another path.');
  }
  response.text(`Saved the page as PDF (${formatBytes(pdf.length)}) to ${file}`);
  response.fileLink(file, 'application/pdf');
}

/** One side of a diff: an image file, a recording's frame ("label@2.5"), or, for recordings without a time, every moment. */
type Side = { kind: 'image'; name: string; image: Buffer } | { kind: 'recording'; name: string; info: RecordingInfo; atMs?: number };

async function side(text: string, context: ToolContext): Promise<Side> {
  const at = /^(.+?)@(\d+(?:\.\d+)?)s?$/.exec(text);
  const info = await context.recordings().find(at ? at[1]! : text);
  if (info) return { kind: 'recording', name: text, info, atMs: at ? Number(at[2]) * 1000 : undefined };
  const path = isAbsolute(text) ? text : resolve(context.config.outputDir, text);
  try {
    return { kind: 'image', name: text, image: await readFile(path) };
  } catch {
    throw new UsageError(
      `${quoteValue(text)} is neither an image file nor a recording.`,
      'Give an image path (relative ones are in the output folder, e.g. a screenshot saved with path), or a recording id or label, optionally with a time: "before@2.5".',
    );
  }
}

async function frameOf(s: Extract<Side, { kind: 'recording' }>, atMs: number): Promise<Buffer> {
  return grabFrame(s.info.video, Math.max(0, Math.min(atMs, s.info.durationMs - 40)));
}

function describeDiff(diff: PixelDiff): string {
  const percent = diff.fraction * 100;
  const amount = diff.changedPixels === 0 ? 'no pixel changed' : `${percent < 0.01 ? '<0.01' : percent.toFixed(2)}% of the pixels changed (${diff.changedPixels})`;
  const regions = diff.regions.map((r) => `${r.width}×${r.height} at ${r.x},${r.y}`).join('; ');
  return `${amount}${diff.sizes ? `; sizes differ: ${diff.sizes[0]} vs ${diff.sizes[1]}` : ''}${regions ? `\nChanged regions (biggest first, boxed in magenta): ${regions}` : ''}`;
}

/**
 * screenshot {diff}: a pixel diff. One item: it against the page now (the capture the other
 * parameters ask for); two: the first against the second. Two recordings without times are
 * compared at matching moments: after each action both have, and at the end.
 */
export async function pixelDiff(context: ToolContext, response: ToolResponse, items: string[], capture: () => Promise<Buffer>): Promise<void> {
  const [a, b] = await Promise.all(items.map((item) => side(item, context)));
  const first = a!;
  const second: Side = b ?? { kind: 'image', name: 'the page now', image: await capture() };
  if (first.kind === 'recording' && second.kind === 'recording' && first.atMs === undefined && second.atMs === undefined) {
    await diffRecordings(first, second, response);
    return;
  }
  const still = async (s: Side) => (s.kind === 'image' ? s.image : frameOf(s, s.atMs ?? s.info.durationMs));
  const diff = await diffImages(await still(first), await still(second));
  const image = await encodeImage(diff.image, { maxEdge: MAX_EDGE, format: 'webp', quality: 80 });
  response.text(`Pixel diff of ${first.name} → ${second.name}: ${describeDiff(diff)}`);
  response.image(image.data, image.mimeType);
}

async function diffRecordings(a: Extract<Side, { kind: 'recording' }>, b: Extract<Side, { kind: 'recording' }>, response: ToolResponse): Promise<void> {
  // Matching moments: after each action both recordings took (0.9 s later, or just before the next action), then the end.
  const moments = matchingMoments(a.info, b.info, 6).map((moment) => ({ ...moment, label: `after ${truncate(moment.label, 50)}` }));
  moments.push({ label: 'at the end', left: a.info.durationMs, right: b.info.durationMs });
  const lines: string[] = [];
  const tiles = [];
  for (const moment of moments) {
    const diff = await diffImages(await frameOf(a, moment.left), await frameOf(b, moment.right));
    lines.push(`  ${moment.label}: ${describeDiff(diff).split('\n')[0]}`);
    tiles.push({ image: diff.image, title: `${(diff.fraction * 100).toFixed(2)}% changed`, caption: moment.label });
  }
  const sheet = await contactSheet([{ tiles }], { columns: Math.min(tiles.length, 4), tileWidth: 320 });
  const image = await encodeImage(sheet.data, { maxEdge: MAX_EDGE, format: 'webp', quality: 80 });
  response.text(`Pixel diff of recording ${a.name} → ${b.name}, at ${plural(moments.length, 'matching moment')}:\n${lines.join('\n')}`);
  response.image(image.data, image.mimeType);
}
