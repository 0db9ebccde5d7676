import { writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { encodeImage } from '../media/image.js';
import { MAX_CAPTURE_PX } from '../cdp/pageDriver.js';
import { resolveRef } from '../snapshot/refs.js';
import { LegibleError, errorMessage, UsageError } from '../util/errors.js';
import { formatBytes } from '../format/networkFormat.js';
import type { PageState } from '../actions/pageState.js';
import { annotatedScreenshot, pixelDiff, savePdf } from './screenshotExtras.js';
import { nameParam } from './common.js';
import { defineTool } from './tool.js';

/** About what a model reads well; larger images cost tokens without adding detail. */
const MAX_EDGE = 1280;

/** A PNG of an element by ref, the full page, or the viewport (`cutFrom`: the page's size when a full page was cut). */
async function capture(state: PageState, ref: string | undefined, fullPage: boolean): Promise<{ data: Buffer; cutFrom?: { width: number; height: number } }> {
  if (!ref) return state.page.capture(fullPage);
  const element = await resolveRef(state.page, ref);
  try {
    return { data: await element.screenshot() };
  } finally {
    await element.dispose();
  }
}

export const screenshotTool = defineTool({
  name: 'screenshot',
  title: 'Screenshot',
  description:
    "The viewport, full page or a ref as an image; path saves it (or .pdf); annotate: numbered boxes → refs; diff: 2 images or recording@s (1: vs the page).",
  input: {
    ref: z.string().optional(),
    fullPage: z.boolean().optional(),
    path: nameParam.optional(),
    annotate: z.boolean().optional(),
    diff: z.array(z.string().min(1)).min(1).optional(),
  },
  kind: 'read',
  scope: 'page',
  async handle({ params, state, context, response }) {
    if (params.ref && params.fullPage) throw new UsageError('Give ref or fullPage, not both.', 'ref captures one element, fullPage the whole page: call screenshot with one of them.');
    if (params.annotate && (params.ref || params.fullPage || params.diff)) throw new UsageError('annotate numbers the viewport: give it alone.', 'Call screenshot {"annotate":true}.');
    // Check the path before capturing, so a bad one fails fast and alone.
    const given = params.path ? /\.([a-z0-9]+)$/i.exec(params.path)?.[1]?.toLowerCase() : undefined;
    if (given === 'pdf') {
      if (params.ref || params.annotate || params.diff) throw new UsageError('A PDF is of the whole page: give path alone.', 'Call screenshot {"path":"page.pdf"}.');
      await savePdf(state, await context.outputPath('page', 'pdf', params.path), response);
      return;
    }
    if (given && !['png', 'jpg', 'jpeg', 'webp'].includes(given)) {
      throw new UsageError(`Screenshots are saved as png, jpeg, webp or pdf, not .${given}.`, 'End the path in .png, .jpg, .webp or .pdf (or give no extension for png).');
    }
    if (params.annotate) {
      await annotatedScreenshot(state, response);
      return;
    }
    if (params.diff) {
      if (params.diff.length > 2) throw new UsageError(`diff compares two images, not ${params.diff.length}.`, 'Give one (compared with the page now) or two.');
      await pixelDiff(context, response, params.diff, async () => (await capture(state, params.ref, params.fullPage ?? false)).data);
      return;
    }
    const extension = given ? given.replace('jpg', 'jpeg') : 'png';
    const file = params.path ? await context.outputPath('screenshot', extension === 'jpeg' ? 'jpg' : extension, params.path) : undefined;
    const viewport = state.page.viewport();
    if (!params.ref && !params.fullPage && !file && viewport && Math.max(viewport.width, viewport.height) <= MAX_EDGE && (viewport.deviceScaleFactor ?? 1) === 1) {
      // The common case needs no resizing: the browser encodes WebP itself, with no decode and re-encode here.
      const data = await state.page.captureViewport('webp', 80);
      response.text(`Screenshot of the viewport: ${viewport.width}×${viewport.height}, ${formatBytes(data.length)} WebP.`);
      response.image(data, 'image/webp');
      return;
    }
    const { data: raw, cutFrom } = await capture(state, params.ref, params.fullPage ?? false);
    const image = await encodeImage(raw, { maxEdge: MAX_EDGE, format: 'webp', quality: 80 });
    const what = params.ref ? `element ${params.ref}` : params.fullPage ? 'full page' : 'viewport';
    const scaled = image.width !== image.sourceWidth ? ` (downscaled from ${image.sourceWidth}×${image.sourceHeight})` : '';
    response.text(`Screenshot of the ${what}: ${image.width}×${image.height}${scaled}, ${formatBytes(image.data.length)} WebP.`);
    if (cutFrom) {
      response.text(
        `Note: the page is ${cutFrom.width.toLocaleString('en-US')}×${cutFrom.height.toLocaleString('en-US')} px; this shows its top-left ${MAX_CAPTURE_PX.toLocaleString('en-US')} px at most. Screenshot a part of it by ref to see more.`,
      );
    }
    response.image(image.data, image.mimeType);
    if (file) {
      const full = await encodeImage(raw, { maxEdge: 16_384, format: extension as 'png' | 'jpeg' | 'webp', quality: 90 });
      try {
        await writeFile(file, full.data);
      } catch (error) {
        throw new LegibleError(`Could not save the screenshot to ${file}: ${errorMessage(error)}`, 'Check that the output folder is writable and has space, or pick another path.');
      }
      response.text(`Saved at full size (${full.width}×${full.height}) to ${file}`);
      response.fileLink(file, full.mimeType);
    }
  },
});
