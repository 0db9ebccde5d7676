/**
 * Journey files are untrusted input: they are read only from known folders, only when they are
 * regular files of bounded size, parsed with bounded step counts and viewport sizes, and no error
 * quotes what they hold. Writes (saved journeys, and every path through writesInside) never follow
 * a symbolic link out of the output folder. Real files, FIFOs and links in a temporary folder.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_STEPS, parseJourney } from '../../src/journey/schema.js';
import { JourneyStore, MAX_JOURNEY_BYTES } from '../../src/journey/store.js';
import { realTarget, writesInside } from '../../src/util/paths.js';

let root: string;
let output: string;
let outside: string;
let store: JourneyStore;
const flow = (steps: unknown[], title = 'flow') => JSON.stringify({ title, steps });

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'legible-journey-files-'));
  output = join(root, 'out');
  outside = join(root, 'elsewhere');
  await mkdir(join(output, 'journeys'), { recursive: true });
  await mkdir(outside);
  store = new JourneyStore(output);
});
afterAll(() => rm(root, { recursive: true, force: true }));

const failure = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    return error as Error & { hint?: string };
  }
  throw new Error('expected a failure');
};

describe('JourneyStore.load', () => {
  it('reads a saved journey by name and a file by path inside the output folder', async () => {
    await writeFile(join(output, 'journeys', 'ok.json'), flow([{ type: 'navigate', url: 'http://x/' }]));
    expect((await store.load('ok')).journey.steps).toHaveLength(1);
    expect((await store.load(join(output, 'journeys', 'ok.json'))).journey.title).toBe('flow');
  });

  it('refuses files outside the folders it reads from, also through a symbolic link', async () => {
    await writeFile(join(outside, 'far.json'), flow([]));
    const far = await failure(store.load(join(outside, 'far.json')));
    expect(far.message).toMatch(/is outside the folders journeys are read from/);
    expect(far.hint).toMatch(/--journey-dir/);
    await symlink(join(outside, 'far.json'), join(output, 'journeys', 'link.json'));
    expect((await failure(store.load('link'))).message).toMatch(/is outside the folders/);
    expect((await failure(store.load('/etc/passwd'))).message).toMatch(/is outside the folders/);
    expect((await failure(store.load('/dev/zero'))).message).toMatch(/is outside the folders/);
  });

  it('reads from the extra folders it is given', async () => {
    const wider = new JourneyStore(output, [outside]);
    expect((await wider.load(join(outside, 'far.json'))).journey.steps).toEqual([]);
  });

  it('refuses a FIFO at once (reading it would block for ever) and a device', async () => {
    const fifo = join(output, 'journeys', 'pipe.json');
    execFileSync('mkfifo', [fifo]);
    const started = Date.now();
    expect((await failure(store.load('pipe'))).message).toMatch(/is a FIFO \(named pipe\), not a file/);
    expect(Date.now() - started).toBeLessThan(5_000);
    const devices = new JourneyStore(output, ['/dev']);
    expect((await failure(devices.load('/dev/zero'))).message).toMatch(/is a device, not a file/);
    expect((await failure(devices.load('/dev/null'))).message).toMatch(/is a device, not a file/);
  });

  it('refuses a file over the size limit before reading it', async () => {
    await writeFile(join(output, 'journeys', 'big.json'), Buffer.alloc(MAX_JOURNEY_BYTES + 1, ' '));
    expect((await failure(store.load('big'))).message).toMatch(/is 5\.0 MB; journeys are at most 5 MB/);
  });

  it('never quotes what a file holds in its errors', async () => {
    await writeFile(join(output, 'journeys', 'secret.json'), 'password=hunter2-very-secret not json');
    const error = await failure(store.load('secret'));
    expect(error.message).toMatch(/is not valid JSON/);
    expect(`${error.message} ${error.hint}`).not.toContain('hunter2');
  });
});

describe('parseJourney', () => {
  it(`refuses more than ${MAX_STEPS} steps, naming the count`, () => {
    const steps = Array.from({ length: MAX_STEPS + 1 }, () => ({ type: 'frobnicate' }));
    expect(() => parseJourney(flow(steps), 'j.json')).toThrow(/has 2,001 steps; a journey has at most 2,000/);
  });

  it('refuses a viewport of 0×0 (and absurd sizes)', () => {
    expect(() => parseJourney(flow([{ type: 'setViewport', width: 0, height: 0 }]), 'j.json')).toThrow(/Step 1 \(setViewport\) of j.json is malformed: width/);
    expect(() => parseJourney(flow([{ type: 'setViewport', width: 1280, height: 1e9 }]), 'j.json')).toThrow(/height/);
    expect(parseJourney(flow([{ type: 'setViewport', width: 390, height: 844 }]), 'j.json').steps).toHaveLength(1);
  });

  it('keeps a title and unknown step types short and printable', () => {
    const journey = parseJourney(flow([{ type: `x${'y'.repeat(10_000)}\u001b[31m` }], `\u202E${'t'.repeat(1_000_000)}`), 'j.json');
    expect(journey.title.length).toBeLessThanOrEqual(210);
    expect(journey.title.startsWith('\\u202e')).toBe(true);
    expect(journey.steps[0]!.type.length).toBeLessThanOrEqual(60);
  });

  it('does not treat an inherited property name as a step type', () => {
    expect(parseJourney(flow([{ type: 'constructor' }, { type: '__proto__' }]), 'j.json').steps.every((step) => 'unsupported' in step)).toBe(true);
  });
});

describe('writes stay inside the output folder', () => {
  it('resolves links anywhere on the way, including a dangling last one', async () => {
    await symlink(outside, join(output, 'shots'));
    expect(await writesInside(output, join(output, 'shots', 'a.png'))).toBe(false);
    await symlink(join(outside, 'new.png'), join(output, 'dangling.png'));
    expect(await realTarget(join(output, 'dangling.png'))).toBe(join(outside, 'new.png'));
    expect(await writesInside(output, join(output, 'dangling.png'))).toBe(false);
    expect(await writesInside(output, join(output, 'new', 'deeper', 'a.png'))).toBe(true);
    expect(await writesInside(output, output)).toBe(false);
  });

  it('does not save a journey through a link out of the output folder', async () => {
    const victim = join(outside, 'victim.json');
    await writeFile(victim, 'keep me');
    await symlink(victim, join(output, 'journeys', 'evil.json'));
    expect((await failure(store.save('evil', { title: 'x', steps: [] }, true))).message).toMatch(/leads outside the output folder through a symbolic link/);
    expect(await readFile(victim, 'utf8')).toBe('keep me');
    expect(existsSync(join(output, 'journeys', 'fine.json'))).toBe(false);
    await store.save('fine', { title: 'x', steps: [] }, false);
    expect(existsSync(join(output, 'journeys', 'fine.json'))).toBe(true);
  });

  it('refuses the names ".", ".." and "..foo"', () => {
    for (const name of ['.', '..', '..foo', '.hidden']) expect(() => store.pathFor(name)).toThrow(/is not a journey name/);
  });
});
