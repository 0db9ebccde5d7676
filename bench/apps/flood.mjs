// The log-capture row's app: pino-style JSON lines as fast as stdout takes them (one error in 50).
let n = 0;
const line = () => `{"level":${n % 50 === 0 ? 50 : 30},"time":${Date.now()},"pid":${process.pid},"hostname":"bench","reqId":"req-${n}","msg":"request completed","responseTime":${n++ % 997}}\n`;
function write() {
  let chunk = '';
  for (let k = 0; k < 400; k++) chunk += line();
  if (process.stdout.write(chunk)) setImmediate(write);
  else process.stdout.once('drain', write);
}
write();
