import type { ActionWatch } from '../telemetry/activity.js';

/**
 * Watches what happens outside the page while an action runs: the apps' output and the spans of
 * the action's trace. `begin` is called once the action's marks are taken: it gives the action a
 * trace id, which the requests the page sends to the apps' origins carry (traceparent), and the
 * watch's `finish`, called once the page has settled, answers the report's Server section.
 */
export interface ActionObserver {
  /** `label`: what the action does ("Clicking button "Checkout" [e2]"), the root span's name. */
  begin(label?: string): ActionWatch;
}
