import { z } from 'zod';
import { evaluateFunction } from '../actions/evaluate.js';
import { truncate } from '../util/text.js';
import { defineTool } from './tool.js';

const MAX_RESULT = 8_000;

export const evaluateTool = defineTool({
  name: 'evaluate',
  title: 'Evaluate JavaScript',
  description:
    'Run a JavaScript function in the page and return its result as JSON (awaited if it returns a promise). With ref, the element is passed as the first argument: (el) => el.value. Use it to read state the outline does not show; prefer click and type to act.',
  input: {
    function: z.string().min(1).describe('Function source, e.g. "() => document.title" or "(el) => el.getBoundingClientRect()".'),
    ref: z.string().optional().describe('Element ref passed as the first argument.'),
  },
  kind: 'destructive',
  scope: 'page',
  async handle({ params, state, response }) {
    const json = await evaluateFunction(state, params.function, params.ref);
    response.text(truncate(json, MAX_RESULT));
  },
});
