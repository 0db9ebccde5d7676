import type { Expectation, Step } from './schema.js';
import { EXPECT_STEP } from './schema.js';
import { parseKeyCombo } from '../cdp/keys.js';

/**
 * The steps an agent took on one page, in Recorder form, appended as action tools succeed.
 * A mark lets a later save start from a chosen point (after the set-up, say).
 */
export class JourneyLog {
  private steps: Step[] = [];
  private markAt = 0;
  private viewport: { width: number; height: number } | undefined;

  constructor(viewport?: { width: number; height: number }) {
    this.viewport = viewport;
  }

  add(...steps: Step[]): void {
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
    return this.markAt;
  }

  /** Steps since the mark (all of them when there is none). */
  sinceMark(): Step[] {
    return this.steps.slice(this.markAt);
  }

  size(): number {
    return this.steps.length;
  }

  /** A Recorder user flow of the steps since the mark, with expectations as Legible custom steps. */
  toFlow(title: string, expectations: Expectation[]): { title: string; steps: Step[] } {
    const steps: Step[] = [];
    if (this.viewport) steps.push({ type: 'setViewport', width: this.viewport.width, height: this.viewport.height, deviceScaleFactor: 1, isMobile: false, hasTouch: false, isLandscape: true });
    steps.push(...this.sinceMark());
    for (const expectation of expectations) steps.push({ type: 'customStep', name: EXPECT_STEP, parameters: expectation });
    return { title, steps };
  }
}

/** Recorder steps for pressing a combo: every key down in order, then up in reverse. */
export function keySteps(combo: string): Step[] {
  const keys = parseKeyCombo(combo);
  return [...keys.map((key) => ({ type: 'keyDown' as const, key })), ...[...keys].reverse().map((key) => ({ type: 'keyUp' as const, key }))];
}
