import type { ElementRef } from '../cdp/elementRef.js';
import type { FrameDriver } from '../cdp/frameDriver.js';
import type { PageDriver } from '../cdp/pageDriver.js';
import { SECRET_REFERENCE, isSecretName, forgetSecretValue, redactJson, rememberSecretValue } from '../util/redact.js';

/**
 * Secrets in journeys. A saved journey never holds a password or token: it holds a reference,
 * `${LEGIBLE_SECRET_PASSWORD}`, and replay fills it in from the environment variable of that
 * name (or, in the server session where it was typed, from what was typed there).
 */

export const SECRET_PREFIX = 'LEGIBLE_SECRET_';

/** The variable for a field or parameter name: "current-password" → LEGIBLE_SECRET_CURRENT_PASSWORD. */
export function secretVariable(name: string): string {
  const core = name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 40);
  return `${SECRET_PREFIX}${core || 'PASSWORD'}`;
}

export function secretReference(variable: string): string {
  return `\${${variable}}`;
}

function hasReference(text: string): boolean {
  return new RegExp(SECRET_REFERENCE.source).test(text);
}

/**
 * Runs in the page: for a secret field, the name to call its secret by; else null. A secret field
 * is what the page itself calls one: an `<input type="password">`, or an input whose autocomplete
 * names a password or a one-time code (a password field its "show" button turned to text). The
 * snapshot's walker masks the same fields (snapshot/walker.ts); keep the two rules alike.
 */
function passwordFieldName(el: Element): string | null {
  if (!(el instanceof HTMLInputElement)) return null;
  const autocomplete = (el.getAttribute('autocomplete') ?? '').toLowerCase().split(/\s+/);
  const secret = el.type === 'password' || autocomplete.some((token) => token === 'current-password' || token === 'new-password' || token === 'one-time-code');
  if (!secret) return null;
  return el.name || el.id || autocomplete.find((token) => /password|one-time-code/.test(token)) || 'password';
}

/** For a secret field (passwordFieldName), the variable a saved journey refers to its value by; undefined for other elements. */
export async function passwordVariable(element: ElementRef): Promise<string | undefined> {
  const name = await element.evaluate(passwordFieldName);
  return name === null ? undefined : secretVariable(name);
}

/** Runs in the page: the focused element (through shadow roots) when it is an input; else null. */
function focusedInput(): Element | null {
  let el = document.activeElement;
  while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
  return el instanceof HTMLInputElement ? el : null;
}

/** Runs in the page: whether focus is inside a child frame (its <iframe> is the active element). */
function focusInFrame(): boolean {
  let el = document.activeElement;
  while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
  return el instanceof HTMLIFrameElement || el instanceof HTMLFrameElement;
}

/**
 * The secret field (passwordVariable) that has the keyboard focus, in the main frame or (when
 * focus is in a child frame) the first child frame whose focused element is one; with the variable a journey refers
 * to its value by, and its frame. The caller disposes of `element`.
 */
export async function focusedPasswordField(page: PageDriver): Promise<{ element: ElementRef; variable: string; frame: FrameDriver } | undefined> {
  const main = page.mainFrame();
  const candidates = (await main.evaluate(focusInFrame).catch(() => false)) ? page.frames().filter((frame) => frame.key !== '') : [main];
  for (const frame of candidates) {
    const element = await frame.evaluateElement(focusedInput).catch(() => null);
    if (!element) continue;
    const variable = await passwordVariable(element).catch(() => undefined);
    if (variable) return { element, variable, frame };
    await element.dispose();
  }
  return undefined;
}

/** The values typed into secret fields in this server session, by variable, for replays in the same session. */
export class SessionSecrets {
  private readonly typed = new Map<string, string>();

  remember(variable: string, value: string): void {
    // Typed key by key, each value is the last one and a character more: only the whole one stays known.
    const before = this.typed.get(variable);
    if (before !== undefined && value.startsWith(before) && !this.isTyped(before, variable)) forgetSecretValue(before);
    rememberSecretValue(value);
    this.typed.delete(variable);
    this.typed.set(variable, value);
    if (this.typed.size > 100) this.typed.delete(this.typed.keys().next().value!);
  }

  /** Whether another variable holds `value` too (then it stays known). */
  private isTyped(value: string, except: string): boolean {
    for (const [variable, typed] of this.typed) if (variable !== except && typed === value) return true;
    return false;
  }

  /** The environment's value first (a person set it on purpose), else what was typed in this session. */
  lookup(variable: string): string | undefined {
    const value = process.env[variable] ?? this.typed.get(variable);
    if (value !== undefined) rememberSecretValue(value);
    return value;
  }
}

/** `text` with its secret references filled in by `lookup`, or the first variable it has no value for. */
export function fillSecrets(text: string, lookup: (variable: string) => string | undefined): { value: string; missing?: undefined } | { value?: undefined; missing: string } {
  let missing: string | undefined;
  const value = text.replace(SECRET_REFERENCE, (all, variable: string) => {
    const found = lookup(variable);
    if (found === undefined) missing ??= variable;
    return found ?? all;
  });
  return missing ? { missing } : { value };
}

/** A step's failure reason when a secret it refers to has no value. */
export function missingSecret(variable: string): string {
  return `the environment variable ${variable} is not set (the journey refers to a secret by it instead of keeping it in the file): set it to the value, then run again`;
}

/** The first word of a step's selectors that names a secret (#password, aria/API token), if any. */
function secretInSelectors(selectors: unknown): string | undefined {
  const words = JSON.stringify(selectors ?? []).match(/[A-Za-z][\w-]*/g) ?? [];
  return words.find((word) => isSecretName(word));
}

/** A URL with each secret-looking query or fragment value replaced by a reference (values remembered in `found`). */
function urlWithReferences(url: string, found: Map<string, string>): string {
  return url.replace(/([?&#;])([^=&#;?]{1,100})=([^&#;]*)/g, (all, lead: string, name: string, value: string) => {
    if (!value || hasReference(value) || !isSecretName(name)) return all;
    const variable = secretVariable(name);
    found.set(variable, value);
    return `${lead}${name}=${secretReference(variable)}`;
  });
}

/**
 * A Recorder user flow as it may be written to a file: secret query values of navigate steps and
 * what change steps type into secret-looking fields become references; everything else goes
 * through util/redact. `fields`: what a run learnt from the page, by step number (1-based): the
 * change steps whose element is a secret field (passwordVariable), with the variable to refer to
 * their value by, whatever their selectors say. Returns the values it took out, so this session
 * can still replay the flow.
 */
export function protectFlow(flow: unknown, fields: ReadonlyMap<number, string> = new Map()): { flow: unknown; secrets: Map<string, string> } {
  const secrets = new Map<string, string>();
  const steps = flow && typeof flow === 'object' ? (flow as { steps?: unknown }).steps : undefined;
  if (!Array.isArray(steps)) return { flow: redactJson(flow), secrets };
  const protectedSteps = steps.map((raw: unknown, i) => {
    if (!raw || typeof raw !== 'object') return raw;
    const step = { ...(raw as Record<string, unknown>) };
    if (step.type === 'navigate' && typeof step.url === 'string') step.url = urlWithReferences(step.url, secrets);
    if (step.type === 'change' && typeof step.value === 'string' && step.value && !hasReference(step.value)) {
      const known = fields.get(i + 1);
      const word = known ? undefined : secretInSelectors(step.selectors);
      if (known || word) {
        const variable = known ?? secretVariable(word!);
        secrets.set(variable, step.value);
        step.value = secretReference(variable);
      }
    }
    return step;
  });
  return { flow: redactJson({ ...(flow as object), steps: protectedSteps }), secrets };
}
