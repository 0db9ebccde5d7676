// The journey run against each server, and what it measures. Every step is caught on its own:
// a failing step records its error and the journey goes on with the next one.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { CONSOLE_ERROR_TEXT, DASHBOARD_ROWS, SEARCH_QUERY, SHOE_NAMES } from './fixtures.mjs';
import { ChildMemorySampler, mb, statusKb } from './procmem.mjs';
import { launch } from './servers.mjs';
import { distinctFrames, probeVideo } from './video.mjs';

export const TABLE_SIZES = [100, 1000, 5000];
const TARGET_ROWS = 1000;
const TARGET_BUTTON = 'Open 777';
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const message = (error) =>
  (error instanceof Error ? error.message : String(error))
    .split('\n')
    .map((line) => line.replace(/[╔╗╚╝═║]/g, '').replace(/#+ Error\s*|\bError: /g, '').replace(/\s+/g, ' ').trim())
    .filter(Boolean)
    .join(' ')
    .slice(0, 300);

/**
 * Runs the whole journey on a fresh process of `server`; returns one rep's measurements.
 * Options: fixtures (from startFixtures), outDir (the server's working folder), recordSeconds,
 * rep, and recordingUnavailable: a note from an earlier rep whose recording tool could not
 * start (the recording step is then skipped with that note instead of failing the same way again),
 * and only: step names (or their starts: "table") to run, the others skipped (to check a row alone).
 */
export async function runJourney(server, { fixtures, outDir, recordSeconds, rep, recordingUnavailable, only }) {
  await mkdir(outDir, { recursive: true });
  const result = { server: server.id, rep, errors: {} };
  let session;
  let adapter;
  try {
    ({ session, adapter } = await launch(server, outDir));
  } catch (error) {
    result.errors.spawn = message(error);
    return result;
  }
  const sampler = new ChildMemorySampler(session.pid);
  const step = async (name, fn) => {
    if (only && !only.some((prefix) => name.startsWith(prefix))) return;
    try {
      await fn();
    } catch (error) {
      result.errors[name] = message(error);
    } finally {
      sampler.sample();
    }
  };

  // 1. Spawn → tools/list.
  result.toolsList = { ms: session.toolsList.toolsListMs, chars: session.toolsList.toolsListChars, tools: session.toolsList.toolNames.length };
  await step('init', () => adapter.init());

  // 2. Shop: snapshot, type a query, click Search, check the results are visible.
  let shopRefs = {};
  await step('search', async () => {
    await adapter.open(fixtures.url('/shop'));
    const snapshot = await adapter.snapshot();
    const ref = (role, name) => {
      const found = adapter.findRef(snapshot.text, role, name);
      if (!found) throw new Error(`no ref for ${role} "${name}" in the snapshot`);
      return found;
    };
    shopRefs = { box: ref('searchbox', 'Search products'), search: ref('button', 'Search'), add: ref('button', 'Add to cart'), explode: ref('button', 'Explode') };
    await adapter.type(shopRefs.box, SEARCH_QUERY);
    const click = await adapter.click(shopRefs.search);
    const shows = (text) => SHOE_NAMES.every((name) => text.includes(name));
    const inClick = shows(click.text);
    const search = { clickMs: click.ms, ms: click.ms, calls: 1, chars: click.chars, inClickResponse: inClick, correct: inClick };
    if (!inClick) {
      // One snapshot straight after the click, no sleep.
      const after = await adapter.snapshot();
      Object.assign(search, { snapshotMs: after.ms, ms: click.ms + after.ms, calls: 2, chars: click.chars + after.chars, correct: shows(after.text) });
    }
    result.search = search;
  });

  // 3. Failures: a 500 POST with a console error, an uncaught exception; then console and network.
  await step('failures', async () => {
    if (!shopRefs.add) throw new Error('skipped: the shop step found no refs');
    const add = await adapter.click(shopRefs.add);
    const explode = await adapter.click(shopRefs.explode);
    const consoleOut = await adapter.console();
    const networkOut = await adapter.network();
    result.failures = {
      addToCartMs: add.ms,
      explodeMs: explode.ms,
      consoleChars: consoleOut.chars,
      networkChars: networkOut.chars,
      post500: networkOut.text.split('\n').some((line) => line.includes('/api/cart') && /\bPOST\b/.test(line) && /\b500\b/.test(line)),
      consoleError: consoleOut.text.includes(CONSOLE_ERROR_TEXT),
      exception: consoleOut.text.includes('TypeError') && consoleOut.text.includes('Cannot read properties of null'),
    };
  });

  // 4. Viewport screenshot.
  await step('screenshot', async () => {
    const shot = await adapter.screenshot();
    const image = shot.images[0];
    if (!image) throw new Error('no image in the screenshot response');
    const meta = await sharp(image.data).metadata();
    result.screenshot = { ms: shot.ms, bytes: image.data.length, width: meta.width, height: meta.height, format: meta.format, chars: shot.chars };
  });

  // 5. Tables: snapshot latency and size; the cost of a ref for one button deep in the table.
  result.tables = {};
  for (const rows of TABLE_SIZES) {
    await step(`table${rows}`, async () => {
      const nav = await adapter.open(fixtures.url(`/table?rows=${rows}`));
      const snapshot = await adapter.snapshot();
      result.tables[rows] = { navigateMs: nav.ms, ms: snapshot.ms, chars: snapshot.chars };
      if (rows === TARGET_ROWS) result.findRef = await findDeepRef(session, adapter, snapshot);
    });
  }

  // 5b. A dashboard that polls from the start (after the screenshot and tables, which keep
  // their pages): navigate until its one-time figures are seen (in
  // the answer, else one snapshot straight after it, no sleep); polling must not hold the answer back.
  await step('dashboard', async () => {
    const nav = await adapter.open(fixtures.url('/dashboard'));
    const shows = (text) => DASHBOARD_ROWS.every((row) => text.includes(row));
    const dashboard = { navigateMs: nav.ms, ms: nav.ms, calls: 1, correct: shows(nav.text) };
    if (!dashboard.correct) {
      const after = await adapter.snapshot();
      Object.assign(dashboard, { ms: nav.ms + after.ms, calls: 2, correct: shows(after.text) });
    }
    result.dashboard = dashboard;
  });

  // 6. Recording (not counted in the totals).
  if (recordingUnavailable) result.recording = { available: false, note: recordingUnavailable, skipped: true };
  else {
    await step('recording', () =>
      session.uncounted(async () => {
        result.recording = await measureRecording(server, session, adapter, { fixtures, outDir, recordSeconds, rep });
      }),
    );
  }

  // 7. Totals and memory.
  result.totalChars = session.countedChars();
  result.totalCalls = session.countedCalls();
  result.serverPeakMb = mb(statusKb(session.pid, 'VmHWM'));
  result.browserPeakMb = mb(sampler.peakKb);
  result.calls = session.calls;
  result.leftoverProcesses = await session.close();
  if (Object.keys(result.errors).length) result.stderrTail = session.stderr.slice(-10);
  return result;
}

/** Calls and characters to get a ref for TARGET_BUTTON, starting from the default snapshot; then checks the ref works. */
async function findDeepRef(session, adapter, snapshot) {
  let ref = adapter.findRef(snapshot.text, 'button', TARGET_BUTTON);
  const found = { inDefaultSnapshot: !!ref, calls: 1, chars: snapshot.chars, extraCalls: 0, extraChars: 0 };
  if (!ref) {
    const pending = adapter.search(TARGET_BUTTON);
    if (!pending) {
      found.note = 'not in the default snapshot and no search tool';
      return found;
    }
    const searched = await pending;
    Object.assign(found, { extraCalls: 1, extraChars: searched.chars, calls: 2, chars: snapshot.chars + searched.chars });
    ref = adapter.findRef(searched.text, 'button', TARGET_BUTTON);
  }
  found.ref = ref;
  if (!ref) {
    found.note = 'no ref found';
    return found;
  }
  const click = await adapter.click(ref);
  found.clickMs = click.ms;
  const check = await session.uncounted(() =>
    adapter.evaluate(`() => [...document.querySelectorAll('button')].some((b) => b.textContent === 'Opened ${TARGET_BUTTON.split(' ')[1]}')`),
  );
  found.works = /\btrue\b/.test(check.text);
  return found;
}

/** Records `recordSeconds` of the animated page with the server's own tool, if it has one. */
async function measureRecording(server, session, adapter, { fixtures, outDir, recordSeconds, rep }) {
  let recSession = session;
  let recAdapter = adapter;
  let recDir = outDir;
  if (server.recording.extraArgs) {
    // The tool is only offered with an option: a second process, so the main one keeps its default tools/list.
    recDir = join(outDir, 'rec');
    ({ session: recSession, adapter: recAdapter } = await launch(server, recDir, server.recording.extraArgs, server.recording.env?.(recDir)));
    recSession.counting = false;
  }
  try {
    if (!recSession.has(server.recording.tool)) return { available: false, note: `no ${server.recording.tool} tool` };
    await recAdapter.init();
    await recAdapter.open(fixtures.url('/animated'));
    const videoPath = join(recDir, `${server.id}-rep${rep}.${server.recording.ext ?? 'mp4'}`);
    try {
      await recAdapter.recordStart(videoPath);
    } catch (error) {
      return { available: false, note: message(error) };
    }
    const started = performance.now();
    await sleep(recordSeconds * 1000);
    const stopSent = performance.now();
    const { video, result: stopped } = await recAdapter.recordStop();
    const stopMs = performance.now() - stopSent;
    const wallS = (stopSent - started) / 1000;
    if (!video) throw new Error('the stop response names no video file');
    const probe = await probeVideo(video);
    const distinct = await distinctFrames(video);
    return {
      available: true,
      args: server.recording.extraArgs ?? [],
      wallS,
      videoS: probe.durationS,
      errorPct: (Math.abs(probe.durationS - wallS) / wallS) * 100,
      signedErrorPct: ((probe.durationS - wallS) / wallS) * 100,
      frames: probe.frames,
      fps: probe.fps,
      distinct,
      distinctFps: distinct / probe.durationS,
      streamFps: probe.streamFps,
      codec: probe.codec,
      size: `${probe.width}x${probe.height}`,
      stopMs,
      // Legible says how long finishing took on its side (encoder flush, filmstrip).
      serverStopMs: Number(/finished (\d+) ms after stop/.exec(stopped.text)?.[1]) || undefined,
    };
  } finally {
    if (recSession !== session) await recSession.close();
  }
}
