import type { Expectation, Step } from './schema.js';
import { EXPECT_STEP } from './schema.js';
import { APPS_STEP, appsOfSteps } from './appUrls.js';
import { parseKeyCombo } from '../cdp/keys.js';
import { EMULATE_STEP, MOCK_STEP, STORAGE_STEP, UNMOCK_STEP } from './legibleSteps.js';

/**
 * The steps an agent took on one page, in Recorder form, appended as action tools succeed.
 * A mark lets a later save start from a chosen point (after the set-up, say).
 */
export class JourneyLog {
  private steps: Step[] = [];
  private markAt = 0;
  private viewport: { width: number; height: number } | undefined;
  /** The environment the steps so far set up (viewport, network, emulation, mocks, storage), one step per setting. */
  private readonly setup = new Map<string, Step>();
  /** The set-up in force at the mark: a journey saved from the mark starts with it. */
  private setupAtMark: Step[] = [];

  constructor(viewport?: { width: number; height: number }) {
    this.viewport = viewport;
  }

  add(...steps: Step[]): void {
    for (const step of steps) this.noteSetup(step);
    this.steps.push(...steps);
    if (this.steps.length > 1_000) {
      const drop = this.steps.length - 1_000;
      this.steps.splice(0, drop);
      this.markAt = Math.max(0, this.markAt - drop);
    }
  }

  /** The latest step, if any. */
  last(): Step | undefined {
    return this.steps.at(-1);
  }

  mark(): number {
    this.markAt = this.steps.length;
    this.setupAtMark = [...this.setup.values()];
    return this.markAt;
  }

  private noteSetup(step: Step): void {
    if (step.type === 'setViewport') this.setup.set('viewport', step);
    else if (step.type === 'emulateNetworkConditions') this.setup.set('network', step);
    else if (step.type !== 'customStep') return;
    else if (step.name === EMULATE_STEP) {
      const before = (this.setup.get('emulate') as { parameters?: object } | undefined)?.parameters ?? {};
      this.setup.set('emulate', { ...step, parameters: { ...before, ...(step.parameters as object) } });
    } else if (step.name === MOCK_STEP) this.setup.set(`mock ${(step.parameters as { url: string }).url}`, step);
    else if (step.name === UNMOCK_STEP) {
      const url = (step.parameters as { url?: string }).url;
      for (const key of [...this.setup.keys()]) if (key.startsWith('mock ') && (!url || key === `mock ${url}`)) this.setup.delete(key);
    } else if (step.name === STORAGE_STEP) {
      if ((step.parameters as { clear?: boolean }).clear) for (const key of [...this.setup.keys()]) if (key.startsWith('storage ')) this.setup.delete(key);
      this.setup.set(`storage ${this.setup.size}`, step);
    }
  }

  /** Steps since the mark (all of them when there is none). */
  sinceMark(): Step[] {
    return this.steps.slice(this.markAt);
  }

  size(): number {
    return this.steps.length;
  }

  /**
   * A Recorder user flow of the steps since the mark, with expectations as Legible custom steps;
   * with `origins` (the session's apps by origin), a `legible.apps` step first names the app of
   * each URL the steps use, so a replay finds the app where it runs then (appUrls.ts).
   */
  toFlow(title: string, expectations: Expectation[], origins?: ReadonlyMap<string, string>): { title: string; steps: Step[] } {
    const steps: Step[] = [];
    const setup = this.markAt > 0 ? this.setupAtMark : [];
    if (this.viewport && !setup.some((step) => step.type === 'setViewport')) {
      steps.push({ type: 'setViewport', width: this.viewport.width, height: this.viewport.height, deviceScaleFactor: 1, isMobile: false, hasTouch: false, isLandscape: true });
    }
    // Saved from a mark: the environment set up before it comes first, so the replay starts in the same conditions.
    steps.push(...setup, ...this.sinceMark());
    const apps = origins ? appsOfSteps(steps, origins) : undefined;
    if (apps) steps.unshift({ type: 'customStep', name: APPS_STEP, parameters: apps });
    for (const expectation of expectations) steps.push({ type: 'customStep', name: EXPECT_STEP, parameters: expectation });
    return { title, steps };
  }
}

/** Recorder steps for pressing a combo: every key down in order, then up in reverse. */
export function keySteps(combo: string): Step[] {
  const keys = parseKeyCombo(combo);
  return [...keys.map((key) => ({ type: 'keyDown' as const, key })), ...[...keys].reverse().map((key) => ({ type: 'keyUp' as const, key }))];
}
