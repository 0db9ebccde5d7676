import { constants, existsSync } from 'node:fs';
import { mkdir, open, readdir, realpath, writeFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { errorMessage, LegibleError, UsageError } from '../util/errors.js';
import { isInside, writesInside } from '../util/paths.js';
import { clip, quoteValue } from '../util/text.js';
import { EXPECT_STEP, parseJourney, type Journey } from './schema.js';
import { checkExpectationQueries } from './serverKinds.js';
import { protectFlow } from './secrets.js';

/** A name starts with a letter, digit or underscore: never ".", ".." or a hidden file. */
const NAME = /^\w[\w.-]{0,59}$/;

/** A journey file larger than this is refused before it is read (a Recorder export of 1,000 steps is about 500 kB). */
export const MAX_JOURNEY_BYTES = 5 * 1024 * 1024;

/** Saved journeys: `<output folder>/journeys/<name>.json`, never overwritten unless asked. */
export class JourneyStore {
  readonly dir: string;
  /** The folders journey files may be read from: the output folder first, then `readableDirs`. */
  private readonly roots: string[];

  constructor(outputDir: string, readableDirs: string[] = []) {
    this.dir = join(outputDir, 'journeys');
    this.roots = [outputDir, ...readableDirs];
  }

  pathFor(name: string): string {
    if (!NAME.test(name)) {
      throw new UsageError(`${quoteValue(name)} is not a journey name.`, 'Use 1-60 letters, digits, dots, dashes or underscores, starting with a letter or digit, e.g. "cart-500".');
    }
    return join(this.dir, `${name}.json`);
  }

  /** Writes a flow with its secrets replaced by references (protectFlow): saved journeys get shared. */
  async save(name: string, flow: unknown, overwrite: boolean): Promise<string> {
    const path = this.pathFor(name);
    if (existsSync(path) && !overwrite) {
      throw new UsageError(`A journey named ${quoteValue(name)} already exists (${path}).`, 'Pick another name, or pass overwrite: true to replace it.');
    }
    try {
      await mkdir(this.dir, { recursive: true });
      if (!(await writesInside(this.roots[0]!, path))) {
        throw new UsageError(`${path} leads outside the output folder through a symbolic link; Legible does not write there.`, 'Remove the link, or pick another name.');
      }
      await writeFile(path, `${JSON.stringify(protectFlow(flow).flow, null, 2)}\n`);
    } catch (error) {
      if (error instanceof LegibleError) throw error;
      throw new LegibleError(`Could not write ${path}: ${errorMessage(error)}`, 'Check that the output folder is writable and has space.');
    }
    return path;
  }

  /** The names of the saved journeys, sorted (the first 20, then how many more). */
  async names(): Promise<string[]> {
    const files = await readdir(this.dir).catch(() => [] as string[]);
    const names = files.filter((file) => file.endsWith('.json')).map((file) => file.slice(0, -5)).sort();
    return names.length > 20 ? [...names.slice(0, 20), `and ${names.length - 20} more`] : names;
  }

  /**
   * A saved name, or the path of a Recorder JSON file (for example one a person exported) inside
   * one of the folders journeys are read from. The file's real path (symlinks resolved) must be
   * inside one of them, it must be a regular file (not a FIFO or a device, which would block or
   * never end), and at most MAX_JOURNEY_BYTES long; errors never quote what it holds.
   */
  async load(nameOrPath: string): Promise<{ journey: Journey; path: string }> {
    const looksLikePath = nameOrPath.endsWith('.json') || nameOrPath.includes('/') || nameOrPath.includes('\\');
    const path = looksLikePath ? (isAbsolute(nameOrPath) ? nameOrPath : resolve(nameOrPath)) : this.pathFor(nameOrPath);
    let real: string;
    try {
      real = await realpath(path);
    } catch (error) {
      const missing = (error as { code?: string }).code === 'ENOENT';
      const saved = missing ? await this.names() : [];
      if (missing && !looksLikePath) {
        throw new UsageError(
          `There is no saved journey ${quoteValue(nameOrPath)} (looked for ${path}).`,
          `${saved.length ? `Saved journeys: ${saved.join(', ')}. Or save this one` : 'Save it'} first with journey {"action":"save","name":"…"}, or give the path of a Recorder JSON file.`,
        );
      }
      throw new LegibleError(
        missing ? `There is no journey file at ${clip(path, 300)}.` : `Could not read the journey ${quoteValue(nameOrPath)}: ${clip(errorMessage(error), 300)}`,
        `Check the path: a journey is a Chrome DevTools Recorder JSON file.${saved.length ? ` Saved journeys (by name, without .json): ${saved.join(', ')}.` : ''}`,
        { kind: missing ? 'usage' : 'environment' },
      );
    }
    const roots = await Promise.all(this.roots.map((root) => realpath(root).catch(() => resolve(root))));
    if (!roots.some((root) => isInside(root, real))) {
      throw new UsageError(
        `${quoteValue(nameOrPath)} is outside the folders journeys are read from: ${roots.join(', ')}.`,
        'Copy the file into one of them (into the output folder\'s journeys/ folder to run it by name), or start the server with --journey-dir <its folder>.',
      );
    }
    const journey = parseJourney(await readJourneyFile(real, nameOrPath), path);
    await checkJourneyQueries(journey, path);
    return { journey, path };
  }
}

/**
 * The text of a journey file, read only if it is a regular file of at most MAX_JOURNEY_BYTES.
 * Opened without blocking and checked on the open handle, so a FIFO cannot stall the read and the
 * file cannot be swapped between the check and the read.
 */
async function readJourneyFile(path: string, given: string): Promise<string> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw new UsageError(`Could not open the journey ${quoteValue(given)}: ${clip(errorMessage(error), 300)}`, 'Check that the file exists and may be read.');
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) {
      const kind = stats.isDirectory() ? 'a folder' : stats.isFIFO() ? 'a FIFO (named pipe)' : stats.isCharacterDevice() || stats.isBlockDevice() ? 'a device' : stats.isSocket() ? 'a socket' : 'not a regular file';
      throw new UsageError(`The journey ${quoteValue(given)} is ${kind}, not a file.`, 'Give the path of a Recorder JSON file.');
    }
    if (stats.size > MAX_JOURNEY_BYTES) {
      throw new UsageError(
        `The journey ${quoteValue(given)} is ${(stats.size / 1024 / 1024).toFixed(1)} MB; journeys are at most ${MAX_JOURNEY_BYTES / 1024 / 1024} MB.`,
        'Split it into shorter journeys.',
      );
    }
    // Read at most one byte past the limit: a file that grows meanwhile is still refused.
    const buffer = Buffer.alloc(Math.min(stats.size, MAX_JOURNEY_BYTES) + 1);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    if (bytesRead > MAX_JOURNEY_BYTES) throw new UsageError(`The journey ${quoteValue(given)} is over ${MAX_JOURNEY_BYTES / 1024 / 1024} MB.`, 'Split it into shorter journeys.');
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/**
 * The LogQL, TraceQL and PromQL of a journey's server expectations, parsed with the real grammars
 * as the file is loaded (before any tab opens), so a broken query is told with its step, never
 * found when the run ends.
 */
async function checkJourneyQueries(journey: Journey, source: string): Promise<void> {
  const expectations: { step: number; expectation: { type: string; query?: string } }[] = [];
  for (const [i, step] of journey.steps.entries()) {
    if (!('unsupported' in step) && step.type === 'customStep' && step.name === EXPECT_STEP) expectations.push({ step: i + 1, expectation: step.parameters as { type: string; query?: string } });
  }
  await checkExpectationQueries(
    expectations.map((entry) => entry.expectation),
    (index) => `Step ${expectations[index]!.step} of ${source}`,
  );
}
