// The click-while-logging row's app: listens on PORT and logs a pino-style line every 2 ms.
import { createServer } from 'node:http';

createServer((req, res) => res.end('ok')).listen(Number(process.env.PORT), '127.0.0.1');
let n = 0;
setInterval(() => process.stdout.write(`{"level":30,"time":${Date.now()},"msg":"tick","n":${n++}}\n`), 2);
