import { z } from 'zod';
import { evaluateFunction } from '../actions/evaluate.js';
import { truncate } from '../util/text.js';
import { defineTool } from './tool.js';

const MAX_RESULT = 8_000;

export const evaluateTool = defineTool({
  name: 'evaluate',
  title: 'Evaluate JavaScript',
  description:
    "Run a JavaScript function in the page and return its JSON result; with ref the element is its argument.",
  input: {
    function: z.string().min(1).describe('e.g. "() => document.title".'),
    ref: z.string().optional().describe('Element to pass.'),
  },
  kind: 'destructive',
  scope: 'page',
  async handle({ params, state, response }) {
    const json = await evaluateFunction(state, params.function, params.ref);
    response.text(truncate(json, MAX_RESULT));
  },
});
