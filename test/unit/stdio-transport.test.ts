/**
 * The stdio transport's line handling, without a process: how bytes become lines (and oversized
 * lines are skipped without being held), and what each kind of bad line is answered with. The
 * same cases run end to end against the built server in test/e2e/stdio-protocol.test.ts.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { LineReader } from '../../src/cli/lineReader.js';
import { idOfOversized, readLine, StdioTransport } from '../../src/cli/stdioTransport.js';

describe('LineReader', () => {
  it('splits chunks into lines, across chunk boundaries and with CRLF', () => {
    const reader = new LineReader(100);
    expect(reader.push(Buffer.from('{"a":1}\n{"b"'))).toEqual([{ kind: 'line', text: '{"a":1}' }]);
    expect(reader.push(Buffer.from(':2}\r\n\n'))).toEqual([
      { kind: 'line', text: '{"b":2}' },
      { kind: 'line', text: '' },
    ]);
  });

  it('skips a line over the limit without holding it, keeping its first and last bytes', () => {
    const reader = new LineReader(1_000);
    const events = [];
    events.push(...reader.push(Buffer.from(`{"id":7,"x":"${'a'.repeat(600)}`)));
    for (let i = 0; i < 100; i++) {
      events.push(...reader.push(Buffer.alloc(10_000, 'b')));
      expect(reader.held()).toBe(0);
    }
    events.push(...reader.push(Buffer.from('"}\n{"next":true}\n')));
    expect(events).toHaveLength(2);
    const [oversized, next] = events;
    expect(oversized).toMatchObject({ kind: 'oversized', bytes: 13 + 600 + 1_000_000 + 2 });
    expect(oversized!.kind === 'oversized' && oversized.head.startsWith('{"id":7,')).toBe(true);
    expect(oversized!.kind === 'oversized' && oversized.tail.endsWith('bb"}')).toBe(true);
    expect(next).toEqual({ kind: 'line', text: '{"next":true}' });
  });
});

describe('readLine', () => {
  const reply = (text: string) => {
    const outcome = readLine(text);
    if (!outcome || !('reply' in outcome) || !outcome.reply) throw new Error(`expected a reply to ${text}`);
    return outcome.reply as unknown as { id: unknown; error: { code: number; message: string } };
  };

  it('hands valid messages on as parsed, keeping an own "__proto__" key for the schema to refuse', () => {
    const outcome = readLine('{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"snapshot","arguments":{"__proto__":{"x":1}}}}');
    expect(outcome && 'message' in outcome).toBe(true);
    const message = (outcome as { message: { params: { arguments: object } } }).message;
    expect(Object.keys(message.params.arguments)).toEqual(['__proto__']);
  });

  it('ignores blank lines', () => {
    expect(readLine('')).toBeUndefined();
    expect(readLine('   ')).toBeUndefined();
  });

  it('answers a line that is not JSON with a parse error, without quoting the line', () => {
    const answer = reply(`not json ${'x'.repeat(5_000)}`);
    expect(answer.id).toBeNull();
    expect(answer.error.code).toBe(-32700);
    expect(answer.error.message.length).toBeLessThan(300);
  });

  it.each(['1e308', '18446744073709551616', '1.5', '{}', '[]', 'true', 'null'])('answers a request with the unusable id %s with id null', (id) => {
    const answer = reply(`{"jsonrpc":"2.0","id":${id},"method":"ping"}`);
    expect(answer.id).toBeNull();
    expect(answer.error.code).toBe(-32600);
    expect(answer.error.message).toMatch(/id .* is not usable/);
  });

  it('answers other invalid requests, echoing a usable id', () => {
    expect(reply('{"id":5,"method":"ping"}')).toMatchObject({ id: 5, error: { code: -32600, message: expect.stringContaining('"jsonrpc": "2.0"') } });
    expect(reply('{"jsonrpc":"2.0","id":"a","method":42}')).toMatchObject({ id: 'a', error: { code: -32600 } });
    expect(reply('[{"jsonrpc":"2.0","id":3,"method":"ping"}]')).toMatchObject({ id: null, error: { message: expect.stringContaining('batches') } });
    expect(reply('42')).toMatchObject({ id: null, error: { code: -32600 } });
  });

  it('never answers a malformed response (that could start a loop), only logs it', () => {
    const outcome = readLine('{"jsonrpc":"2.0","id":1.5,"result":{}}');
    expect(outcome && 'warning' in outcome && !outcome.reply).toBe(true);
  });
});

describe('idOfOversized', () => {
  it('finds the id as the first member or as the last (where the MCP SDK puts it)', () => {
    expect(idOfOversized('{"jsonrpc":"2.0","id":12,"method":"tools/call","params":{"x":"aaa', 'aaa"}}')).toBe(12);
    expect(idOfOversized('{"id":"req-1","method"', 'x')).toBe('req-1');
    expect(idOfOversized('{"method":"tools/call","params":{"a":"', 'aaaa"}},"jsonrpc":"2.0","id":41}')).toBe(41);
    expect(idOfOversized('{"method":"x","params":{"a":"', 'aaaa"}},"id":41,"jsonrpc":"2.0"}\r')).toBe(41);
  });

  it('does not take an id from inside the arguments, nor an unusable one', () => {
    expect(idOfOversized('{"method":"tools/call","params":{"arguments":{"id":5,"text":"', 'aaa","id":6}}}')).toBeUndefined();
    expect(idOfOversized('{"method":"x","params":"', 'a","id":1.5}')).toBeUndefined();
    expect(idOfOversized('{"method":"x","params":"', 'a","id":18446744073709551616}')).toBeUndefined();
  });
});

describe('StdioTransport', () => {
  it('answers an oversized message with its id, then goes on reading', async () => {
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    const transport = new StdioTransport(stdin, stdout, 1_000);
    const received: unknown[] = [];
    let closed = false;
    transport.onmessage = (message) => received.push(message);
    transport.onclose = () => (closed = true);
    await transport.start();
    stdin.write(`{"jsonrpc":"2.0","method":"tools/call","params":{"s":"${'a'.repeat(5_000)}"},"id":3}\n`);
    stdin.write('{"jsonrpc":"2.0","id":4,"method":"ping"}\n');
    await new Promise((resolve) => setImmediate(resolve));
    const answers = String(stdout.read()).trim().split('\n').map((line) => JSON.parse(line));
    expect(answers).toEqual([{ jsonrpc: '2.0', id: 3, error: { code: -32600, message: expect.stringMatching(/^Message too large: /) } }]);
    expect(received).toEqual([{ jsonrpc: '2.0', id: 4, method: 'ping' }]);
    expect(closed).toBe(false);
    await transport.close();
    expect(closed).toBe(true);
  });
});
