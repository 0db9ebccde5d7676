import type { Config } from '../config/config.js';
import { appRestartTool, appStartTool, appStatusTool, appStopTool } from './appTools.js';
import { consoleTool } from './consoleTool.js';
import { dialogTool } from './dialogTool.js';
import { emulateTool } from './emulateTool.js';
import { evaluateTool } from './evaluateTool.js';
import { clickTool, hoverTool, pressKeyTool, selectOptionTool, typeTool } from './inputTools.js';
import { navigateTool } from './navigateTools.js';
import { networkTool } from './networkTool.js';
import { pagesTool } from './pagesTool.js';
import { journeyRunTool, journeySaveTool } from './journeyTools.js';
import { logsTool } from './logsTool.js';
import { metricsTool } from './metricsTool.js';
import { tracesTool } from './tracesTool.js';
import { recordCompareTool, recordStartTool, recordStopTool } from './recordTools.js';
import { reportTool } from './reportTool.js';
import { screenshotTool } from './screenshotTool.js';
import { snapshotTool } from './snapshotTool.js';
import { storageTool } from './storageTool.js';
import type { AnyTool } from './tool.js';
import { waitForTool } from './waitTool.js';

/** Every tool, in the order tools/list shows them. */
export const ALL_TOOLS: readonly AnyTool[] = [
  navigateTool,
  snapshotTool,
  clickTool,
  typeTool,
  pressKeyTool,
  hoverTool,
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

/** The tools this configuration offers (--no-evaluate removes evaluate). */
export function toolsFor(config: Pick<Config, 'evaluate'>): AnyTool[] {
  return ALL_TOOLS.filter((tool) => config.evaluate || tool.name !== evaluateTool.name);
}
