import { z } from 'zod';
import { buildReport } from '../report/bundle.js';
import { LegibleError } from '../util/errors.js';
import { VERSION } from '../util/version.js';
import { defineTool } from './tool.js';

export const reportTool = defineTool({
  name: 'report',
  title: 'QA report',
  description:
    'Bundle a journey run, or a before/after pair of runs, into a folder a QA person can open: report.html (steps with verdicts, videos, filmstrips, console errors, failed requests, and for a pair what was fixed, still failing or newly failing), the journey JSON, a side-by-side video, console logs and HAR files. Runs are named by id (run-2) or recording label (before, after).',
  input: {
    run: z.string().min(1).optional().describe('The run (id or label); default the latest, or "before" when compare is given.'),
    compare: z.string().min(1).optional().describe('A second run to compare with (e.g. "after").'),
    name: z.string().regex(/^[\w.-]{1,60}$/, 'names are 1-60 letters, digits, dots, dashes or underscores').optional().describe('Folder name under the output folder.'),
  },
  kind: 'action',
  scope: 'browser',
  async handle({ params, context, response }) {
    const registry = context.runs();
    const find = (key: string) => {
      const run = registry.find(key);
      if (!run) {
        const ids = registry.ids();
        throw new LegibleError(`There is no run ${JSON.stringify(key)} in this session.`, ids.length ? `Runs: ${ids.join(', ')}.` : 'Run a journey first with journey_run.');
      }
      return run;
    };
    const first = params.run ? find(params.run) : params.compare ? find('before') : registry.latest();
    if (!first) throw new LegibleError('No journey has run in this session.', 'Run one with journey_run {"journey":"…","record":"before"} first.');
    const runs = params.compare ? [first, find(params.compare)] : [first];
    if (runs[1] && runs[1].id === first.id) throw new LegibleError('Both sides are the same run.', 'Name two different runs.');
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const dir = await context.outputPath('', '', `reports/${params.name ?? `${first.title.replace(/[^\w.-]+/g, '-').slice(0, 40)}-${stamp}`}`);
    const built = await buildReport(runs, dir, context.recordings(), VERSION);
    const lines = [`Report: ${built.html}`, `Folder: ${built.dir}`];
    for (const run of runs) lines.push(`  ${run.label ?? run.id}: ${run.verdict.toUpperCase()}`);
    if (built.changes) {
      const count = (kind: string) => built.changes!.filter((c) => c.kind === kind).length;
      lines.push(`Changes: ${count('fixed')} fixed, ${count('still failing')} still failing, ${count('newly failing')} newly failing.`);
      for (const change of built.changes.filter((c) => c.kind !== 'still passing')) lines.push(`  ${change.kind}: ${change.what}`);
    }
    if (built.comparison) lines.push(`Side by side: ${built.comparison}`);
    lines.push(`Network (HAR, loads in DevTools' Network panel): ${built.har.join(', ')}`);
    response.text(lines.join('\n'));
    response.fileLink(built.html, 'text/html', 'QA report');
  },
});
