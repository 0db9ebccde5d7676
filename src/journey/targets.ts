import type { PageState } from '../actions/pageState.js';
import type { FrameDriver } from '../cdp/frameDriver.js';
import { poll } from './poll.js';

/**
 * Where a step runs. Recorder names a step's `target`: "main" for the tab the flow started in,
 * or the URL of another target: a popup or tab the flow opened, or an iframe that Chromium runs
 * in its own process. As @puppeteer/replay does, a tab with that URL is looked for first, then
 * a frame; the step's `frame` path counts from that frame.
 */
export interface StepScope {
  state: PageState;
  /** The frame the step's `frame` path starts from; the tab's main frame when absent. */
  root?: FrameDriver;
}

/** The frame a step's `frame` path leads to in its scope, if it is there. */
export function frameIn(scope: StepScope, path: readonly number[] | undefined): FrameDriver | undefined {
  return (scope.root ?? scope.state.page.mainFrame()).child(path ?? []);
}

/** "there is no frame [1, 0]" when a step names a frame its scope does not have; undefined otherwise. */
export function missingFrame(scope: StepScope, path: number[] | undefined): string | undefined {
  return path?.length && !frameIn(scope, path) ? `there is no frame [${path.join(', ')}]` : undefined;
}

/** The open tabs of the browser (the journey's own among them); found through the run's context. */
export type TabLister = () => Promise<PageState[]>;

/**
 * Finds a step's target, waiting up to `timeout` ms for it to appear (a popup opens a moment
 * after the click). Returns the scope, or why there is none.
 */
export async function findTarget(main: PageState, target: string | undefined, tabs: TabLister, timeout: number): Promise<StepScope | string> {
  if (!target || target === 'main') return main.page.isClosed() ? 'the journey closed its own tab' : { state: main };
  const look = async (): Promise<StepScope | undefined> => {
    const open = (await tabs()).filter((state) => !state.page.isClosed());
    const tab = open.find((state) => state.page.url() === target);
    if (tab) return { state: tab };
    for (const state of open) {
      const frame = state.page.frames().find((candidate) => candidate.key !== '' && candidate.url() === target);
      if (frame) return { state, root: frame };
    }
    return undefined;
  };
  const found = await poll(() => look().catch(() => undefined), (scope) => !!scope, timeout);
  if (found) return found;
  const open = (await tabs().catch(() => [] as PageState[])).filter((state) => !state.page.isClosed()).map((state) => `${state.page.id} ${state.page.url()}`);
  return `no tab or frame has the URL ${target}${open.length ? ` (open tabs: ${open.slice(0, 5).join(', ')})` : ''}`;
}

