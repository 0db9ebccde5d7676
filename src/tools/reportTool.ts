import { z } from 'zod';
import { buildReport } from '../report/bundle.js';
import { formatChanges } from '../report/runText.js';
import { formatServerDiff } from '../report/serverText.js';
import { LegibleError, UsageError } from '../util/errors.js';
import { quoteValue } from '../util/text.js';
import { VERSION } from '../util/version.js';
import { nameParam } from './common.js';
import { defineTool } from './tool.js';
import { callText } from './family.js';
import { journeyRunTool } from './journeyTools.js';

export const reportTool = defineTool({
  name: 'report',
  title: 'QA report',
  description:
    "A QA folder for a run or a before/after pair: report.html (verdicts, videos, errors, what was fixed), journey, HAR, logs.",
  input: {
    run: nameParam.optional().describe('Id or label; default latest (or "before").'),
    compare: nameParam.optional().describe('e.g. "after"'),
    name: z.string().regex(/^\w[\w.-]{0,59}$/, 'names are 1-60 letters, digits, dots, dashes or underscores, starting with a letter or digit').optional(),
  },
  kind: 'action',
  scope: 'browser',
  async handle({ params, context, response }) {
    const registry = context.runs();
    const find = async (key: string) => {
      const run = await registry.find(key);
      if (!run) {
        const ids = registry.ids();
        throw new UsageError(`There is no run ${quoteValue(key)} in this session.`, ids.length ? `Runs: ${ids.join(', ')}.` : `Run a journey first with ${callText(journeyRunTool, { journey: '…' })}.`);
      }
      return run;
    };
    const first = params.run ? await find(params.run) : params.compare ? await find('before') : await registry.latest();
    if (!first) throw new LegibleError('No journey has run in this session.', `Run one with ${callText(journeyRunTool, { journey: '…', record: 'before' })} first.`);
    const runs = params.compare ? [first, await find(params.compare)] : [first];
    if (runs[1] && runs[1].id === first.id) throw new UsageError('Both sides are the same run.', 'Name two different runs.');
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const dir = await context.outputPath('', '', `reports/${params.name ?? `${first.title.replace(/[^\w.-]+/g, '-').replace(/^[.-]+/, '').slice(0, 40)}-${stamp}`}`);
    const built = await buildReport(runs, dir, context.recordings(), VERSION);
    const lines = [`Report: ${built.html}`, `Folder: ${built.dir}`];
    for (const run of runs) lines.push(`  ${run.label ?? run.id}: ${run.verdict.toUpperCase()}`);
    if (built.changes) lines.push(...formatChanges(built.changes));
    if (built.serverDiff) lines.push(...formatServerDiff(built.serverDiff));
    if (built.comparison) {
      lines.push(`Side by side: ${built.comparison}`);
      context.recordings().addFile(built.comparison, `Side-by-side video of report ${params.name ?? first.title}`);
    }
    lines.push(`Network (HAR, loads in DevTools' Network panel): ${built.har.join(', ')}`);
    response.text(lines.join('\n'));
    response.fileLink(built.html, 'text/html', 'QA report');
  },
});
