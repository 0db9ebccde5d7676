import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  license: string;
  main: string;
  types?: string;
  bin: Record<string, string>;
  scripts: Record<string, string>;
};

/** What `npm pack` would put in the tarball (the files, not built again: dist/ is there after pretest). */
function packedFiles(): { path: string; size: number }[] {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return (JSON.parse(out) as { files: { path: string; size: number }[] }[])[0]!.files;
}

describe('the published package', () => {
  it('builds before packing, not on every install (npm 11 warns about prepare scripts)', () => {
    expect(pkg.scripts.prepare).toBeUndefined();
    expect(pkg.scripts.prepack).toBe('npm run build');
    // npm test still does all the set-up a fresh checkout needs.
    expect(pkg.scripts.pretest).toBe('npm run build');
  });

  it('ships its entry points with type declarations, a LICENSE, and no source maps pointing at sources it leaves out', () => {
    const files = packedFiles();
    const paths = new Set(files.map((file) => file.path));
    for (const entry of [pkg.main, ...Object.values(pkg.bin)]) expect(paths, entry).toContain(entry.replace(/^\.\//, ''));
    // What the bins read next to them: the command line's commands, the server's tools/list.
    for (const data of ['dist/legible-commands.json', 'dist/legible-tools.json']) expect(paths, data).toContain(data);
    expect(pkg.types).toBe(pkg.main.replace(/\.js$/, '.d.ts'));
    expect(paths).toContain(pkg.types);
    expect([...paths].filter((path) => path.endsWith('.map'))).toEqual([]);
    expect(paths).toContain('LICENSE');
    const license = readFileSync(join(ROOT, 'LICENSE'), 'utf8');
    expect(pkg.license).toBe('MIT');
    expect(license).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} the Legible authors\n/);
    // A clean build: nothing left over from modules that no longer exist.
    for (const path of paths) if (path.startsWith('dist/') && path.endsWith('.js') && path !== 'dist/legible.mjs') expect(existsSync(join(ROOT, 'src', path.slice(5).replace(/\.js$/, '.ts'))), path).toBe(true);
  });
});
