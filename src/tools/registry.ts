import type { Config } from '../config/config.js';
import { appFamily, appRestartTool, appStartTool, appStatusTool, appStopTool } from './appTools.js';
import { consoleTool } from './consoleTool.js';
import { dialogTool } from './dialogTool.js';
import { emulateTool } from './emulateTool.js';
import { evaluateTool } from './evaluateTool.js';
import { clickTool, selectOptionTool, typeTool } from './inputTools.js';
import { navigateTool } from './navigateTools.js';
import { networkTool } from './networkTool.js';
import { pagesTool } from './pagesTool.js';
import { journeyFamily, journeyRunTool, journeySaveTool } from './journeyTools.js';
import { logsTool } from './logsTool.js';
import { metricsTool } from './metricsTool.js';
import { tracesTool } from './tracesTool.js';
import { recordCompareTool, recordFamily, recordStartTool, recordStopTool } from './recordTools.js';
import { reportTool } from './reportTool.js';
import { screenshotTool } from './screenshotTool.js';
import { snapshotTool } from './snapshotTool.js';
import { storageTool } from './storageTool.js';
import { familyOf, type ToolFamily } from './family.js';
import type { AnyTool } from './tool.js';
import { waitForTool } from './waitTool.js';

/**
 * Every tool, one by one: what runs a call, what the command line makes its commands of (`legible
 * app start`) and what the docs describe. tools/list shows them as LISTED, families folded.
 */
export const ALL_TOOLS: readonly AnyTool[] = [
  navigateTool,
  snapshotTool,
  clickTool,
  typeTool,
  selectOptionTool,
  waitForTool,
  screenshotTool,
  consoleTool,
  networkTool,
  evaluateTool,
  pagesTool,
  dialogTool,
  emulateTool,
  storageTool,
  recordStartTool,
  recordStopTool,
  recordCompareTool,
  journeySaveTool,
  journeyRunTool,
  reportTool,
  appStartTool,
  appStopTool,
  appRestartTool,
  appStatusTool,
  logsTool,
  tracesTool,
  metricsTool,
] as unknown as AnyTool[];

/** The families: tools an agent calls by one name and an `action` (see family.ts). */
export const FAMILIES: readonly ToolFamily[] = [recordFamily, journeyFamily, appFamily];

/** The tools this configuration offers (--no-evaluate removes evaluate). */
export function toolsFor(config: Pick<Config, 'evaluate'>): AnyTool[] {
  return ALL_TOOLS.filter((tool) => config.evaluate || tool.name !== evaluateTool.name);
}

/** The family a tool is an action of, and the action (the command line's manifest reads it here). */
export { familyOf };

/** What tools/list shows, in order: each tool, or its family in the place of the family's first action. */
export function listedFor(config: Pick<Config, 'evaluate'>): (AnyTool | ToolFamily)[] {
  const listed: (AnyTool | ToolFamily)[] = [];
  for (const tool of toolsFor(config)) {
    const family = familyOf(tool)?.family;
    if (!family) listed.push(tool);
    else if (!listed.includes(family)) listed.push(family);
  }
  return listed;
}
