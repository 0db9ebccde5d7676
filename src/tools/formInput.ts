import { dragElement, parseOffset, readableFiles, uploadFiles } from '../actions/dragUpload.js';
import { selectOptions, typeInto } from '../actions/elements.js';
import { performAction } from '../actions/perform.js';
import type { PageState } from '../actions/pageState.js';
import type { ElementRef } from '../cdp/elementRef.js';
import { DRAG_STEP, UPLOAD_STEP } from '../journey/legibleSteps.js';
import type { Step } from '../journey/schema.js';
import { passwordVariable, secretReference } from '../journey/secrets.js';
import { resolveRef } from '../snapshot/refs.js';
import { UsageError } from '../util/errors.js';
import { maskTyped } from '../util/redact.js';
import { plural, quote, truncate } from '../util/text.js';
import type { ToolContext } from './context.js';
import { actOnRef, describeRef, journeyTarget, reportEffects, type StepLocator } from './common.js';
import type { ToolResponse } from './response.js';

/** Runs in the page: a checkbox's, radio's or switch's state (null for other fields). */
function checkedState(el: Element): boolean | null {
  if (el instanceof HTMLInputElement && (el.type === 'checkbox' || el.type === 'radio')) return el.checked;
  const aria = el.getAttribute('aria-checked');
  return aria === null ? null : aria === 'true';
}

/** click {ref, to}: drags the ref's element onto another ref, or by "dx,dy" pixels. */
export async function dragTo(state: PageState, context: ToolContext, response: ToolResponse, ref: string, to: string): Promise<void> {
  const offset = parseOffset(to);
  let target: { element: ElementRef; locator: StepLocator; name: string } | undefined;
  if (!offset) {
    const element = await resolveRef(state.page, to);
    target = { element, locator: await journeyTarget(state, to, element), name: describeRef(state, to) };
  }
  try {
    const where = target ? target.name : `${offset!.x},${offset!.y} px away`;
    const { target: source, locator, effects } = await actOnRef(state, ref, (name) => `Dragging ${name} to ${where}`, (element) =>
      dragElement(state.page, element, target ? { element: target.element } : { offset: offset! }),
    );
    context.journey(state).add({
      type: 'customStep',
      name: DRAG_STEP,
      ...(locator.frame ? { frame: locator.frame } : {}),
      parameters: { selectors: locator.selectors, ...(target ? { to: target.locator.selectors } : { offset }) },
    });
    reportEffects(response, `Dragged ${source} to ${where}.`, effects);
  } finally {
    await target?.element.dispose();
  }
}

/** type {ref, files}: puts files into a file input, or into the file chooser the ref opens when clicked. */
export async function uploadInto(state: PageState, context: ToolContext, response: ToolResponse, ref: string, files: string[]): Promise<void> {
  const paths = await readableFiles(files);
  const names = paths.map((path) => path.split('/').pop()!).join(', ');
  const { target, locator, effects, result } = await actOnRef(state, ref, (name) => `Uploading ${names} into ${name}`, (element) =>
    uploadFiles(element, paths, 2_000),
  );
  context.journey(state).add({ type: 'customStep', name: UPLOAD_STEP, ...(locator.frame ? { frame: locator.frame } : {}), parameters: { selectors: locator.selectors, files: paths } });
  reportEffects(response, `Uploaded ${plural(paths.length, 'file')} (${truncate(names, 200)}) into ${target}${result === 'chooser' ? ' through the file chooser it opened' : ''}.`, effects);
}

/**
 * type {fields}: fills a form in one action and one report. Each field is set as a person would
 * (text typed, a select chosen, a date picked, a checkbox clicked) and journaled as the Recorder
 * step that input makes: change, or click for a checkbox or radio that changed.
 */
export async function fillFields(state: PageState, context: ToolContext, response: ToolResponse, fields: Record<string, string>): Promise<void> {
  const entries = Object.entries(fields);
  if (!entries.length) throw new UsageError('fields is empty.', 'Give {"<ref>":"<value>", …}, e.g. {"e3":"Ann","e5":"true"}.');
  if (entries.length > 50) throw new UsageError(`${entries.length} fields are too many for one call (at most 50).`, 'Split the form into several calls.');
  // Every ref is looked up (and its selectors taken) before anything is typed: a bad one fails the call with nothing done.
  const targets: { ref: string; value: string; element: ElementRef; locator: StepLocator; name: string; secret: string | undefined }[] = [];
  try {
    for (const [ref, value] of entries) {
      const element = await resolveRef(state.page, ref);
      targets.push({ ref, value, element, locator: await journeyTarget(state, ref, element), name: describeRef(state, ref), secret: await passwordVariable(element) });
    }
    const steps: Step[] = [];
    const done: string[] = [];
    const effects = await performAction(
      state,
      async () => {
        for (const field of targets) {
          const shown = field.secret ? maskTyped(field.value) : truncate(field.value, 60);
          if (await field.element.evaluate((el) => el instanceof HTMLSelectElement)) {
            const chosen = await selectOptions(field.element, [field.value]);
            steps.push({ type: 'change', ...field.locator, value: chosen[0] ?? field.value });
            done.push(`${field.name} = ${quote(field.value)}`);
            continue;
          }
          const before = await field.element.evaluate(checkedState);
          const verb = await typeInto(state.page, field.element, field.value, { clear: true, submit: false });
          if (verb === 'Checked' || verb === 'Unchecked') {
            // A person clicks a checkbox or radio only when it is not already as wanted.
            if ((await field.element.evaluate(checkedState)) !== before) steps.push({ type: 'click', ...field.locator, offsetX: 1, offsetY: 1 });
          } else {
            if (field.secret) context.secrets().remember(field.secret, field.value);
            steps.push({ type: 'change', ...field.locator, value: field.secret ? secretReference(field.secret) : field.value });
          }
          done.push(verb === 'Checked' || verb === 'Unchecked' ? `${field.name} ${verb.toLowerCase()}` : `${field.name} = ${quote(shown)}`);
        }
      },
      { what: `Filling ${plural(targets.length, 'field')}` },
    );
    context.journey(state).add(...steps);
    reportEffects(response, `Filled ${plural(done.length, 'field')}: ${done.join('; ')}.`, effects);
  } finally {
    for (const field of targets) await field.element.dispose();
  }
}
