// Writes legible.config.schema.json, the JSON Schema of legible.config.json, from the zod schema
// in src/config/appsConfig.ts (run by `npm run docs`, after the build). Editors use it through
// "$schema": "./node_modules/legible-mcp/legible.config.schema.json".
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The file's text: the schema, two-space indented, with a final newline. */
export function renderConfigSchema(appsConfig) {
  return `${JSON.stringify(appsConfig.appsConfigJsonSchema(), null, 2)}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const appsConfig = await import('../dist/config/appsConfig.js');
  writeFileSync(join(ROOT, 'legible.config.schema.json'), renderConfigSchema(appsConfig));
  console.log('wrote legible.config.schema.json');
}
