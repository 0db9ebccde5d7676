import type { ServerActivity } from '../telemetry/activity.js';

/**
 * Watches what happens outside the page while an action runs: the apps' output (and later their
 * traces). `begin` is called once the action's marks are taken; the function it returns once the
 * page has settled. Its answer becomes the report's Server section.
 */
export interface ActionObserver {
  begin(): () => Promise<ServerActivity | undefined>;
}
