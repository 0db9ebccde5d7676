// The app of the app_start overhead row: prints a line as its very first statement, listens on
// PORT, and writes {first, ready} (epoch ms) to READY_FILE, so the bench knows the app's own time
// from its first output to being ready.
const first = Date.now();
process.stdout.write(`{"level":30,"time":${first},"msg":"starting"}\n`);
const { createServer } = await import('node:http');
const { writeFileSync } = await import('node:fs');
createServer((req, res) => res.end('ok')).listen(Number(process.env.PORT), '127.0.0.1', () => {
  const ready = Date.now();
  writeFileSync(process.env.READY_FILE, JSON.stringify({ first, ready }));
  process.stdout.write(`{"level":30,"time":${ready},"msg":"listening"}\n`);
});
