// What the Server section's wait for an idle app (src/apps/idleWait.ts) costs an action, with
// many processes on the machine: one or more builds' waitForIdle, called in this process (as
// Legible calls it) on an idle app with a child, a grandchild and an orphan re-parented to init.
// Builds take turns within each round, in alternating order, so the machine's load falls on all
// of them alike. Not part of `npm run bench`; see docs/benchmarks.md, "The wait for an idle app".
//
//   node bench/idle-wait.mjs [--sleepers 400] [--placement tree|orphans] [--rounds 10] [--calls 20] [name=dist-folder …]
// Without builds, it measures dist/. --placement says where the sleeping processes hang: below
// one process of their own (tree, as most processes of a desktop do), or re-parented to init
// (orphans, as daemons are). A build outside the repository cannot find its node_modules: copy
// it to a folder inside it (e.g. .variants/, which git ignores).
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { ROOT } from './servers.mjs';

const { values: flags, positionals } = parseArgs({
  options: { sleepers: { type: 'string' }, placement: { type: 'string' }, rounds: { type: 'string' }, calls: { type: 'string' } },
  allowPositionals: true,
});
const sleepers = Number(flags.sleepers ?? 400);
const placement = flags.placement ?? 'tree';
const rounds = Number(flags.rounds ?? 10);
const calls = Number(flags.calls ?? 20);
const builds = positionals.length ? positionals.map((p) => p.split('=')).map(([name, dir]) => [name, resolve(dir)]) : [['dist', join(ROOT, 'dist')]];

const median = (values) => {
  const v = [...values].sort((a, b) => a - b);
  return v.length % 2 ? v[v.length >> 1] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const processCount = () => readdirSync('/proc').filter((name) => /^\d+$/.test(name)).length;

/** A process group of its own, killed as a whole at the end. */
const groups = [];
function group(command, args) {
  const child = spawn(command, args, { detached: true, stdio: 'ignore' });
  groups.push(child.pid);
  return child;
}

const killGroups = () => {
  for (const pgid of groups) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // gone
    }
  }
};
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => (killGroups(), process.exit(1)));

const before = processCount();
// `( sleep & )` leaves the sleep without its parent, so init (or a subreaper) adopts it.
const one = placement === 'orphans' ? '( sleep 600 & )' : 'sleep 600 &';
group('sh', ['-c', `i=0; while [ $i -lt ${sleepers} ]; do\n${one}\ni=$((i+1)); done; wait`]);
// The app: an idle Node process with a child, a grandchild and an orphan in its group.
const app = group(process.execPath, ['-e', "require('node:child_process').spawn('sh', ['-c', 'sleep 600 & ( sleep 600 & ); wait'], { stdio: 'ignore' }); setInterval(() => {}, 1000);"]);
while (processCount() < before + sleepers + 4) await sleep(50);
await sleep(300);

try {
  const variants = [];
  for (const [name, dir] of builds) {
    const { waitForIdle } = await import(pathToFileURL(join(dir, 'apps', 'idleWait.js')).href);
    variants.push({ name, waitForIdle, wallMs: [], cpuMs: [] });
  }
  const { membersOfGroups } = await import(pathToFileURL(join(builds[0][1], 'apps', 'processTable.js')).href);
  console.error(`${processCount()} processes; the app's group (full pass over /proc): ${membersOfGroups([app.pid]).length} processes; sleepers ${placement === 'orphans' ? 'adopted by init' : 'below one process'}`);
  for (const variant of variants) await variant.waitForIdle([app.pid], 500); // warm-up
  for (let round = 0; round < rounds; round++) {
    for (const variant of round % 2 ? [...variants].reverse() : variants) {
      for (let call = 0; call < calls; call++) {
        const cpu = process.cpuUsage();
        const began = performance.now();
        const idle = await variant.waitForIdle([app.pid], 500);
        variant.wallMs.push(performance.now() - began);
        const used = process.cpuUsage(cpu);
        variant.cpuMs.push((used.user + used.system) / 1000);
        if (!idle) throw new Error(`${variant.name}: the idle app was not found idle`);
      }
    }
  }
  console.log(`waitForIdle on an idle app, ${processCount()} processes (sleepers: ${placement}), ${rounds} rounds of ${calls} calls, load ${loadavg()[0].toFixed(1)}`);
  console.log('| Build | wall per call, median (ms) | CPU per call, median (ms) |');
  console.log('| --- | ---: | ---: |');
  for (const v of variants) console.log(`| ${v.name} | ${median(v.wallMs).toFixed(2)} | ${median(v.cpuMs).toFixed(2)} |`);
} finally {
  killGroups();
}
