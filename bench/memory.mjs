// Legible's server memory over many actions: RSS after 50 and after 500 alternating clicks and typings.
// RSS moves with garbage collection from one action to the next, so each checkpoint is the
// median of the readings after the last WINDOW actions up to it (41-50, 491-500).
import { mkdir } from 'node:fs/promises';
import { childrenPssKb, mb, statusKb } from './procmem.mjs';
import { median } from './report.mjs';
import { launch } from './servers.mjs';

const WINDOW = 10;


/** Runs `checkpoints.at(-1)` actions on the counter page; reads the server's VmRSS at each checkpoint. */
export async function measureActionMemory(server, { fixtures, outDir, checkpoints = [50, 500] }) {
  await mkdir(outDir, { recursive: true });
  const { session, adapter } = await launch(server, outDir);
  session.counting = false;
  const result = { server: server.id, checkpoints: {} };
  try {
    await adapter.init();
    await adapter.open(fixtures.url('/counter'));
    const snapshot = await adapter.snapshot();
    const note = adapter.findRef(snapshot.text, 'textbox', 'Note');
    const button = adapter.findRef(snapshot.text, 'button', 'Increment');
    if (!note || !button) throw new Error('no refs on the counter page');
    const times = [];
    const rssKb = [];
    const last = Math.max(...checkpoints);
    for (let i = 1; i <= last; i++) {
      const call = i % 2 ? await adapter.click(button) : await adapter.type(note, `note ${i}`);
      times.push(call.ms);
      rssKb.push(statusKb(session.pid, 'VmRSS'));
      if (checkpoints.includes(i)) {
        result.checkpoints[i] = {
          serverRssMb: mb(median(rssKb.slice(-WINDOW))),
          serverRssNowMb: mb(rssKb.at(-1)),
          browserPssMb: mb(childrenPssKb(session.pid)),
        };
      }
    }
    result.window = WINDOW;
    result.serverRssEvery10Mb = rssKb.filter((_, i) => i % 10 === 9).map(mb);
    const check = await adapter.evaluate(`() => document.getElementById('count').textContent`);
    result.counterText = check.text.trim();
    result.expectedCount = Math.ceil(last / 2);
    result.medianActionMs = median(times);
    result.totalS = times.reduce((a, b) => a + b, 0) / 1000;
    const [first, second] = [checkpoints[0], last].map((n) => result.checkpoints[n]?.serverRssMb);
    result.ratio = first && second ? second / first : undefined;
    result.serverPeakMb = mb(statusKb(session.pid, 'VmHWM'));
  } catch (error) {
    result.error = error instanceof Error ? error.message : String(error);
  } finally {
    await session.close();
  }
  return result;
}
