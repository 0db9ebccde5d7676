import { z } from 'zod';
import { evaluateFunction } from '../actions/evaluate.js';
import { truncate } from '../util/text.js';
import { defineTool } from './tool.js';

const MAX_RESULT = 8_000;

export const evaluateTool = defineTool({
  name: 'evaluate',
  title: 'Evaluate JavaScript',
  description:
    "Run a JavaScript function in the page (with ref, the element is its argument); returns its JSON result.",
  input: {
    function: z.string().min(1).describe('() => document.title'),
    ref: z.string().optional(),
  },
  kind: 'destructive',
  openWorld: true,
  scope: 'page',
  async handle({ params, state, response }) {
    const json = await evaluateFunction(state, params.function, params.ref);
    response.text(truncate(json, MAX_RESULT));
  },
});
