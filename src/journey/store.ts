import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { LegibleError, errorMessage } from '../util/errors.js';
import { parseJourney, type Journey } from './schema.js';
import { protectFlow } from './secrets.js';

const NAME = /^[\w.-]{1,60}$/;

/** Saved journeys: `<output folder>/journeys/<name>.json`, never overwritten unless asked. */
export class JourneyStore {
  readonly dir: string;

  constructor(outputDir: string) {
    this.dir = join(outputDir, 'journeys');
  }

  pathFor(name: string): string {
    if (!NAME.test(name)) {
      throw new LegibleError(`${JSON.stringify(name)} is not a journey name.`, 'Use 1-60 letters, digits, dots, dashes or underscores, e.g. "cart-500".');
    }
    return join(this.dir, `${name}.json`);
  }

  /** Writes a flow with its secrets replaced by references (protectFlow): saved journeys get shared. */
  async save(name: string, flow: unknown, overwrite: boolean): Promise<string> {
    const path = this.pathFor(name);
    if (existsSync(path) && !overwrite) {
      throw new LegibleError(`A journey named ${JSON.stringify(name)} already exists (${path}).`, 'Pick another name, or pass overwrite: true to replace it.');
    }
    try {
      await mkdir(this.dir, { recursive: true });
      await writeFile(path, `${JSON.stringify(protectFlow(flow).flow, null, 2)}\n`);
    } catch (error) {
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

  /** A saved name, or a path to any Recorder JSON file (for example one a person exported). */
  async load(nameOrPath: string): Promise<{ journey: Journey; path: string }> {
    const looksLikePath = nameOrPath.endsWith('.json') || nameOrPath.includes('/') || nameOrPath.includes('\\');
    const path = looksLikePath ? (isAbsolute(nameOrPath) ? nameOrPath : resolve(nameOrPath)) : this.pathFor(nameOrPath);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      const missing = (error as { code?: string }).code === 'ENOENT';
      const saved = missing ? await this.names() : [];
      if (missing && !looksLikePath) {
        throw new LegibleError(
          `There is no saved journey ${JSON.stringify(nameOrPath)} (looked for ${path}).`,
          `${saved.length ? `Saved journeys: ${saved.join(', ')}. Or save this one` : 'Save it'} first with journey_save, or give the path of a Recorder JSON file.`,
        );
      }
      throw new LegibleError(
        missing ? `There is no journey file at ${path}.` : `Could not read the journey ${JSON.stringify(nameOrPath)} (${path}): ${errorMessage(error)}`,
        `Check the path: a journey is a Chrome DevTools Recorder JSON file.${saved.length ? ` Saved journeys (by name, without .json): ${saved.join(', ')}.` : ''}`,
      );
    }
    return { journey: parseJourney(text, path), path };
  }
}
