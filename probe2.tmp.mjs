import { compileGoRegex } from './dist/telemetry/regex.js';
import { RE2JS } from 're2js';
const MESSAGES = ['request completed', 'user logged in', 'cache miss for key', 'upstream slow', 'db query slow'];
const lines = []; const start = Date.now();
for (let i = 0; i < 300_000; i++) { const level = i % 50 === 0 ? 50 : i % 10 === 0 ? 40 : 30; const msg = i % 1000 === 7 ? 'upstream timeout' : MESSAGES[i % 5];
  lines.push(`{"level":${level},"time":${start + i},"pid":1234,"hostname":"box","reqId":"req-${i}","msg":"${msg}","responseTime":${i % 997}}`); }
const time = (label, f) => { const b = performance.now(); let n = 0; for (const l of lines) if (f(l)) n++; console.log(label.padEnd(30), (performance.now() - b).toFixed(0), n); };
const g = compileGoRegex('upstream (slow|timeout)');
const r = RE2JS.compile('upstream (slow|timeout)');
for (let i = 0; i < 2; i++) { time('go test', (l) => g.test(l)); time('raw test', (l) => r.test(l)); time('incl', (l) => l.includes('upstream ')); }
time('slice test', (l) => { const i = l.indexOf('upstream '); return i >= 0 && r.test(l.slice(i)); });
time('slice test', (l) => { const i = l.indexOf('upstream '); return i >= 0 && r.test(l.slice(i)); });
const e = RE2JS.compile('"msg":"(?P<msg>[^"]+)"');
time('exec', (l) => e.exec(l));
time('exec slice', (l) => { const i = l.indexOf('"msg":"'); return i >= 0 && e.exec(l.slice(i)); });
time('exec slice', (l) => { const i = l.indexOf('"msg":"'); return i >= 0 && e.exec(l.slice(i)); });
const js = /"msg":"(?<msg>[^"]+)"/;
time('js exec', (l) => js.exec(l));
