// An esbuild plugin for scripts/bundle.mjs (test/unit/lazy-ajv.test.ts checks it).
import { dirname } from 'node:path';

/**
 * The MCP SDK's Server makes a JSON Schema validator (Ajv) when it is constructed, and the module
 * that defines it imports ajv and ajv-formats: about 15 ms of start-up before tools/list, for a
 * validator the SDK uses only to check the answer to an elicitation (Legible asks for none). In
 * its place goes a stand-in with the same class, which loads the SDK's own module and makes the
 * SDK's own validator on its first use: nothing changes but when ajv loads.
 */
export const lazyAjv = {
  name: 'lazy-ajv',
  setup(build) {
    const provider = /[\\/]@modelcontextprotocol[\\/]sdk[\\/]dist[\\/]esm[\\/]validation[\\/]ajv-provider\.js$/;
    build.onLoad({ filter: provider }, (args) => {
      if (args.suffix === '?sdk') return undefined; // the SDK's own module, which the stand-in requires
      const contents = `let Provider;
export class AjvJsonSchemaValidator {
  constructor(ajv) { this.ajv = ajv; }
  getValidator(schema) {
    Provider ??= require(${JSON.stringify(`${args.path}?sdk`)}).AjvJsonSchemaValidator;
    this.validator ??= new Provider(this.ajv);
    return this.validator.getValidator(schema);
  }
}`;
      return { contents, loader: 'js', resolveDir: dirname(args.path) };
    });
  },
};
