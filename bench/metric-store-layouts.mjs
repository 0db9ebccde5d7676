// How to hold metric samples in memory: the measurement behind MetricStore's layout (see
// ARCHITECTURE.md, "The metric store"). 1,000 series × 300 samples (75 minutes at 15 s) in each
// candidate layout, each in a process of its own (so one layout's JIT state and garbage do not
// colour the next): append rate, bytes per sample (heap + array buffers after a full GC), and the
// core of a range query — for every series and each of 241 steps (1 h at 15 s), the newest sample
// within 5 minutes (an instant-vector selector) and the increase over a 5-minute window with
// counter resets (what rate() reads). Medians of 7 runs.
//
//   node bench/metric-store-layouts.mjs        (after npm run build)
//
// DuckDB is measured too when `@duckdb/node-api` can be imported (not a dependency of Legible:
// `npm install --no-save @duckdb/node-api@1.5.6-r.1` to include it): the same samples in one
// table, the selector step as an ASOF join (the rate window is not expressed in SQL).
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SERIES = 1_000;
const PER_SERIES = 300;
const T0 = 1_700_000_000_000;
const STEPS = 241;
const STEP = 15_000;
const START = T0 + 10 * 60_000;
const LOOKBACK = 300_000;

function samples() {
  let seed = 11;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const out = [];
  for (let s = 0; s < SERIES; s++) {
    let value = 0;
    for (let i = 0; i < PER_SERIES; i++) out.push([s, T0 + i * 15_000 + Math.floor(random() * 5) * 125, (value += Math.floor(random() * 50))]);
  }
  // Interleaved by time, as scrapes and exports arrive.
  return out.sort((a, b) => a[1] - b[1] || a[0] - b[0]);
}

function memory() {
  global.gc();
  global.gc();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

/** The query core over indexable columns (arrays or typed arrays); a checksum keeps it honest. */
function queryCore(columns) {
  let checksum = 0;
  for (let s = 0; s < columns.length; s++) {
    const { n, t, v } = columns[s];
    let j = 0;
    let lo = 0;
    for (let step = 0; step < STEPS; step++) {
      const ref = START + step * STEP;
      while (j < n && t[j] <= ref) j++;
      if (j > 0 && t[j - 1] >= ref - LOOKBACK) checksum += v[j - 1];
      while (lo < n && t[lo] < ref - LOOKBACK) lo++;
      let increase = 0;
      for (let i = lo + 1; i < j; i++) {
        const d = v[i] - v[i - 1];
        increase += d < 0 ? v[i] : d;
      }
      checksum += increase;
    }
  }
  return checksum;
}

function median(fn, reps = 7) {
  const runs = [];
  let result;
  for (let rep = 0; rep < reps; rep++) {
    const began = performance.now();
    result = fn();
    runs.push(performance.now() - began);
  }
  runs.sort((a, b) => a - b);
  return { ms: runs[Math.floor(runs.length / 2)], result };
}

const LAYOUTS = {
  objects: {
    name: 'objects {t, v} in one array per series',
    make() {
      const series = Array.from({ length: SERIES }, () => []);
      return {
        append: (s, t, v) => series[s].push({ t, v }),
        // The objects layout has to be read through the objects: its own loop.
        query: () => {
          let checksum = 0;
          for (const rows of series) {
            let j = 0;
            let lo = 0;
            for (let step = 0; step < STEPS; step++) {
              const ref = START + step * STEP;
              while (j < rows.length && rows[j].t <= ref) j++;
              if (j > 0 && rows[j - 1].t >= ref - LOOKBACK) checksum += rows[j - 1].v;
              while (lo < rows.length && rows[lo].t < ref - LOOKBACK) lo++;
              let increase = 0;
              for (let i = lo + 1; i < j; i++) {
                const d = rows[i].v - rows[i - 1].v;
                increase += d < 0 ? rows[i].v : d;
              }
              checksum += increase;
            }
          }
          return checksum;
        },
      };
    },
  },
  arrays: {
    name: 'two number[] per series',
    make() {
      const columns = Array.from({ length: SERIES }, () => ({ n: 0, t: [], v: [] }));
      return {
        append: (s, t, v) => {
          const c = columns[s];
          c.t.push(t);
          c.v.push(v);
          c.n++;
        },
        query: () => queryCore(columns),
      };
    },
  },
  doubling: {
    name: 'one Float64Array pair per series, doubled when full',
    make() {
      const columns = Array.from({ length: SERIES }, () => ({ t: new Float64Array(8), v: new Float64Array(8), n: 0 }));
      return {
        append: (s, t, v) => {
          const c = columns[s];
          if (c.n === c.t.length) {
            const nt = new Float64Array(c.t.length * 2);
            const nv = new Float64Array(c.t.length * 2);
            nt.set(c.t);
            nv.set(c.v);
            c.t = nt;
            c.v = nv;
          }
          c.t[c.n] = t;
          c.v[c.n++] = v;
        },
        query: () => queryCore(columns),
      };
    },
  },
  store: {
    name: "MetricStore: Float64Array chunks (8 → 512 samples, growing by half) + label index (Legible's)",
    async make() {
      const { MetricStore } = await import(pathToFileURL(join(ROOT, 'dist/telemetry/metrics/store.js')).href);
      const store = new MetricStore();
      const labels = Array.from({ length: SERIES }, (_, s) => ({ __name__: 'bench_total', job: `svc-${s % 10}`, instance: `host-${Math.floor(s / 10)}` }));
      const matcher = [{ name: '__name__', op: '=', value: 'bench_total' }];
      return {
        append: (s, t, v) => store.append({ labels: labels[s], timeMs: t, value: v }),
        // Selection (index lookup, sorting, views of the chunks) is part of the query here.
        query: () => queryCore(store.select(matcher, START - LOOKBACK, START + (STEPS - 1) * STEP).map((d) => ({ n: d.t.length, t: d.t, v: d.v }))),
        estimate: () => store.stats().bytes,
      };
    },
  },
  duckdb: {
    name: 'DuckDB in-memory table (@duckdb/node-api), selector step as an ASOF join',
    async make() {
      const { DuckDBInstance } = await import('@duckdb/node-api');
      const connection = await (await DuckDBInstance.create(':memory:')).connect();
      await connection.run('CREATE TABLE samples (series INTEGER, t BIGINT, v DOUBLE)');
      const appender = await connection.createAppender('samples');
      const sql = `
        WITH steps AS (SELECT s.series, ${START}::BIGINT + g.i * ${STEP} AS ts FROM (SELECT DISTINCT series FROM samples) s, range(${STEPS}) g(i))
        SELECT sum(x.v) FROM steps ASOF JOIN samples x ON steps.series = x.series AND x.t <= steps.ts WHERE x.t >= steps.ts - ${LOOKBACK}`;
      return {
        append: (s, t, v) => {
          appender.appendInteger(s);
          appender.appendBigInt(BigInt(t));
          appender.appendDouble(v);
          appender.endRow();
        },
        finish: () => appender.closeSync(),
        queryAsync: () => connection.runAndReadAll(sql),
        estimate: async () => Number((await connection.runAndReadAll('SELECT sum(memory_usage_bytes) FROM duckdb_memory()')).getRows()[0]?.[0] ?? 0),
      };
    },
  },
};

async function measure(id) {
  const data = samples();
  const before = memory();
  const layout = await LAYOUTS[id].make();
  const began = performance.now();
  for (const [s, t, v] of data) layout.append(s, t, v);
  layout.finish?.();
  const appendMs = performance.now() - began;
  const bytes = memory() - before;
  let queryMs;
  if (layout.queryAsync) {
    const runs = [];
    for (let rep = 0; rep < 7; rep++) {
      const t = performance.now();
      await layout.queryAsync();
      runs.push(performance.now() - t);
    }
    queryMs = runs.sort((a, b) => a - b)[3];
  } else {
    queryMs = median(layout.query).ms;
  }
  const estimate = layout.estimate ? await layout.estimate() : undefined;
  return { id, name: LAYOUTS[id].name, samples: data.length, appendPerSecond: data.length / (appendMs / 1000), bytesPerSample: bytes / data.length, estimateBytesPerSample: estimate && estimate / data.length, queryMs };
}

const only = process.argv.indexOf('--layout');
if (only > 0) {
  if (!global.gc) throw new Error('run through bench/metric-store-layouts.mjs (it adds --expose-gc)');
  const id = process.argv[only + 1];
  try {
    console.log(JSON.stringify(await measure(id)));
  } catch (error) {
    console.log(JSON.stringify({ id, name: LAYOUTS[id].name, skipped: error.code === 'ERR_MODULE_NOT_FOUND' ? 'not installed' : error.message }));
  }
} else {
  console.log(`${(SERIES * PER_SERIES).toLocaleString('en-US')} samples in ${SERIES} series; query core: ${STEPS} steps × ${SERIES} series (selector + rate window); Node ${process.version}; medians of 7`);
  for (const id of Object.keys(LAYOUTS)) {
    const row = JSON.parse(execFileSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), '--layout', id], { encoding: 'utf8' }).trim().split('\n').pop());
    if (row.skipped) {
      console.log(`- ${row.name}: ${row.skipped}`);
      continue;
    }
    const own = row.estimateBytesPerSample ? ` (its own count ${row.estimateBytesPerSample.toFixed(1)})` : '';
    console.log(`- ${row.name}: append ${(row.appendPerSecond / 1e6).toFixed(2)} M samples/s, ${row.bytesPerSample.toFixed(1)} bytes/sample${own}, query core ${row.queryMs.toFixed(1)} ms`);
  }
}
