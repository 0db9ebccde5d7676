/**
 * What an action set off inside the page, watched from inside the page. `pageActivity` runs in a
 * frame (serialised by DevTools), so it is self-contained; the questions settling asks the
 * tracker afterwards are in activityQueries.ts.
 *
 * `pageActivity` installs, once per document, a tracker that
 * - counts DOM mutations (a cheap "did the page change since?" mark) and remembers the last one;
 * - wraps setTimeout / setInterval / requestAnimationFrame and their clear functions, so it knows
 *   which timers and frames are still pending and which action each belongs to;
 * - wraps navigator.geolocation's getCurrentPosition / watchPosition (and clearWatch), whose
 *   answer comes back as a callback from the browser (a "Locate me" button shows its result only
 *   then);
 * - notes the URLs fetch() asks for, and by whom (see "The page's own requests" below).
 * Legible registers it to run in every new document before the page's own scripts
 * (Page.addScriptToEvaluateOnNewDocument), so a script that keeps its own reference to
 * setTimeout still gets the wrapper. In a document that was there before (a tab of a browser
 * Legible attached to), the page's scripts ran first and may have frozen what it wraps: each part
 * installs on its own, so one refused does not stop the rest.
 *
 * Ownership: a timer or frame belongs to the action that was being watched when it was asked
 * for, except one asked for from inside another timer's or frame's callback, which inherits that
 * callback's owner. So a polling loop that the page started before the action stays the page's
 * (owner 0) and is never waited for, while a chain the action started (a timer that sets a timer,
 * a requestAnimationFrame loop) stays the action's. Only timers with a delay of at most
 * `timerLimitMs` are counted at all.
 *
 * A chain also keeps its owner across an `await`: the code after it runs later, outside the
 * callback (`async function poll() { await fetch(u); setTimeout(poll, 50) }`). So a callback's
 * owner stays in force until the task it runs in ends — through all the microtasks that follow
 * it, however many awaits deep (a framework's chain easily passes a few dozen) — and fetch() and a
 * Response's body readers hand the owner of their caller to the code that awaits them. What a
 * chain awaits otherwise (an XMLHttpRequest's events, a message) falls back to the rule above: the
 * action being watched then.
 *
 * The page's own requests: settling does not wait for a fetch the page's own loops send (its
 * polling), told by URL (the browser's request events do not say which code asked). A URL is the
 * page's own when code other than the action fetched it during the action and fetched it also
 * before, while no action was being watched (`unprompted`): a loop that polls does that, while a
 * request the action caused but a page loop sends (an outbox flushed by a game loop, a save after
 * a cached request the page started) asks a URL first seen during an action, and is waited for.
 */

/** The tracker in each document, under Symbol.for('legible.activity'). */
export interface Tracker {
  mutations: number;
  lastMutation: number;
  /** The action being watched (0 before the first). */
  action: number;
  /** From an action's start until its report (`endWatch`): fetches then are noted with their owners, fetches outside as unprompted. */
  watching: boolean;
  timerLimitMs: number;
  /** Pending timers of actions: id -> [action, due time]. Deleted when they run or are cleared. */
  timers: Map<number, [number, number]>;
  /** Pending animation frames: id -> action. */
  frames: Map<number, number>;
  /** Location requests not answered yet (a watch until its first answer or its clearWatch): serial -> action. */
  locating: Map<number, number>;
  /** Owner of the timer or frame callback running now, or of the chain its microtasks continue, until its task ends; -1 outside them. */
  running: number;
  /** Animations that were already there when the action started. */
  known: WeakSet<Animation>;
  /** When waiting for the action began (its limit counts from then, however often it is asked). */
  waitingSince: number | undefined;
  /** The URLs fetched while `action` was watched, with their owners (bounded). */
  fetches: [string, number][];
  /** The URLs fetched while no action was watched (bounded, most recent last): what the page asks unprompted. */
  unprompted: Set<string>;
  wait: typeof setTimeout;
}

/**
 * Installs the tracker if this document has none; with `action` > 0, starts watching that
 * action. Returns the document's mutation count (a mark for "changed since").
 */
export function pageActivity(action: number, timerLimitMs: number): number {
  const key = Symbol.for('legible.activity');
  const host = window as unknown as Record<symbol, Tracker | undefined> & Window & typeof globalThis;
  let tracker = host[key];
  if (!tracker) {
    // Typed loosely on purpose: Node's and the DOM's timer types disagree, and this runs in the page.
    type Schedule = (callback: unknown, delay?: unknown, ...args: unknown[]) => number;
    type Cancel = (id?: number) => void;
    const native = {
      setTimeout: host.setTimeout as unknown as Schedule,
      setInterval: host.setInterval as unknown as Schedule,
      clearTimeout: host.clearTimeout as unknown as Cancel,
      clearInterval: host.clearInterval as unknown as Cancel,
      requestAnimationFrame: host.requestAnimationFrame as unknown as Schedule,
      cancelAnimationFrame: host.cancelAnimationFrame as unknown as Cancel,
    };
    const t: Tracker = {
      mutations: 0,
      lastMutation: performance.now(),
      action: 0,
      watching: false,
      timerLimitMs,
      timers: new Map(),
      frames: new Map(),
      locating: new Map(),
      running: -1,
      known: new WeakSet(),
      waitingSince: undefined,
      fetches: [],
      unprompted: new Set(),
      wait: native.setTimeout.bind(host) as unknown as typeof setTimeout,
    };
    tracker = t;
    Object.defineProperty(host, key, { value: t, configurable: true, enumerable: false });
    /** Runs one part of the install: a page that froze what it wraps (attach mode) keeps that part, not the rest, unwrapped. */
    const attempt = (install: () => void) => {
      try {
        install();
      } catch {
        // Frozen or not writable: that part stays the page's own.
      }
    };
    new MutationObserver(() => {
      t.mutations++;
      t.lastMutation = performance.now();
    }).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
    const owner = () => (t.running >= 0 ? t.running : t.action);
    // A chain's owner holds until the task it runs in ends: a message on a channel of the
    // tracker's own comes as the next task and clears it. Counting microtasks instead cut a chain
    // off after its first few awaits (its later timers then counted as the action being watched,
    // and a click waited for the page's loops again); a task is what a chain's awaits of ready
    // values all run in. The owner must not reach a task that is not the chain's: an input event
    // can run before the clearing message (the browser runs input first), so trusted input clears
    // it too (below), and a wrapped callback sets its own. Still in reach of a chain's owner, and
    // rarer than a deep chain: a callback Legible does not wrap later in the same task (a
    // ResizeObserver's, after the frame callbacks of a rendering step) or in a task queued before
    // the message (an XMLHttpRequest's event); they counted as the action being watched before.
    const ending = new MessageChannel();
    let ends = false;
    ending.port1.onmessage = () => {
      ends = false;
      t.running = -1;
    };
    /** Puts `owned` in force from now until the task ends. */
    const enter = (owned: number) => {
      t.running = owned;
      if (ends) return;
      ends = true;
      ending.port2.postMessage(null);
    };
    // Input from the browser (the agent's next action) starts a task of no chain's.
    for (const type of ['pointerdown', 'pointerup', 'mousedown', 'mouseup', 'click', 'auxclick', 'dblclick', 'contextmenu', 'keydown', 'keypress', 'keyup', 'wheel', 'touchstart', 'touchend']) {
      attempt(() =>
        host.addEventListener(
          type,
          (event) => {
            if (event.isTrusted) t.running = -1;
          },
          { capture: true, passive: true },
        ),
      );
    }
    /** Runs `callback` as `owned` by that action (and its microtasks after it), after `ran` has forgotten its pending entry. */
    const inContext = (callback: (...args: unknown[]) => unknown, owned: number, ran: () => void) =>
      function (this: unknown, ...args: unknown[]) {
        ran();
        enter(owned);
        return callback.apply(this, args);
      };
    /** `read` (fetch, a body reader) with the owner of its caller in force again where its promise settles. */
    const handOn = <A extends unknown[]>(read: (this: unknown, ...args: A) => Promise<unknown>) =>
      function (this: unknown, ...args: A) {
        const owned = owner();
        return read.apply(this, args).then(
          (value) => {
            enter(owned);
            return value;
          },
          (error: unknown) => {
            enter(owned);
            throw error;
          },
        );
      };
    const timer = (schedule: Schedule): Schedule =>
      function (this: unknown, callback, delay, ...args) {
        // Strings are code to compile: pass them through untouched (and untracked).
        if (typeof callback !== 'function') return schedule.call(host, callback, delay, ...args);
        const owned = owner();
        const ms = Math.max(0, Number(delay) || 0);
        let id = 0;
        // An interval counts until its first tick.
        id = schedule.call(host, inContext(callback as never, owned, () => t.timers.delete(id)), delay, ...args);
        if (owned > 0 && t.timerLimitMs > 0 && ms <= t.timerLimitMs) t.timers.set(id, [owned, performance.now() + ms]);
        return id;
      };
    const clear = (cancel: Cancel, forget: Map<number, unknown>): Cancel =>
      function (this: unknown, id) {
        if (id !== undefined) forget.delete(id);
        cancel.call(host, id);
      };
    const frame: Schedule = function (this: unknown, callback) {
      if (typeof callback !== 'function') return native.requestAnimationFrame.call(host, callback);
      const owned = owner();
      let id = 0;
      id = native.requestAnimationFrame.call(host, inContext(callback as never, owned, () => t.frames.delete(id)));
      if (owned > 0) t.frames.set(id, owned);
      return id;
    };
    const replace = (name: string, value: unknown) => attempt(() => Object.defineProperty(host, name, { value, writable: true, configurable: true, enumerable: true }));
    replace('setTimeout', timer(native.setTimeout));
    replace('setInterval', timer(native.setInterval));
    replace('clearTimeout', clear(native.clearTimeout, t.timers));
    replace('clearInterval', clear(native.clearInterval, t.timers));
    replace('requestAnimationFrame', frame);
    replace('cancelAnimationFrame', clear(native.cancelAnimationFrame, t.frames));
    // Longer URLs are not noted (a data: URL can hold a whole file); a fetch of one is simply waited for.
    const MAX_URL = 2_048;
    /** Notes a fetch's URL: with its owner while an action is watched, else as asked unprompted. */
    const note = (input: unknown) => {
      const raw = input instanceof Request ? input.url : String(input);
      // data: and blob: URLs are read from memory, never a request to wait for.
      if (raw.length > MAX_URL || /^\s*(data|blob):/i.test(raw)) return;
      const url = new URL(raw, document.baseURI);
      url.hash = '';
      if (t.watching) {
        t.fetches.push([url.href, owner()]);
        if (t.fetches.length > 200) t.fetches.shift();
        return;
      }
      t.unprompted.delete(url.href);
      t.unprompted.add(url.href);
      if (t.unprompted.size > 200) t.unprompted.delete(t.unprompted.values().next().value as string);
    };
    if (typeof host.fetch === 'function') {
      const fetchHandingOn = handOn(host.fetch as never) as (this: unknown, ...args: unknown[]) => Promise<unknown>;
      replace('fetch', function (this: unknown, input: unknown, ...rest: unknown[]) {
        try {
          note(input);
        } catch {
          // Not a URL: the fetch fails by itself.
        }
        return fetchHandingOn.call(this, input, ...rest);
      });
    }
    const body = host.Response?.prototype as unknown as Record<string, unknown> | undefined;
    for (const name of ['json', 'text', 'arrayBuffer', 'blob', 'formData']) {
      const read = body?.[name];
      if (typeof read === 'function') attempt(() => Object.defineProperty(body, name, { value: handOn(read as never), writable: true, configurable: true, enumerable: true }));
    }
    const geolocation = host.navigator.geolocation as Geolocation | undefined;
    /** Puts `value` on the geolocation object, or on its prototype when the page froze the object. */
    const wrapLocation = (name: string, value: unknown) => {
      const property = { value, writable: true, configurable: true, enumerable: true };
      attempt(() => {
        try {
          Object.defineProperty(geolocation, name, property);
        } catch {
          Object.defineProperty(Object.getPrototypeOf(geolocation) as object, name, property);
        }
      });
    };
    let serial = 0;
    /** A watch's id (the browser's) -> the tracker's serial of its request, until its first answer or its clearWatch. */
    const watches = new Map<number, number>();
    for (const name of ['getCurrentPosition', 'watchPosition'] as const) {
      const ask = geolocation?.[name] as ((...args: unknown[]) => number | undefined) | undefined;
      if (!geolocation || typeof ask !== 'function') continue;
      wrapLocation(name, function (this: unknown, success: unknown, failure?: unknown, options?: unknown) {
        if (typeof success !== 'function') return ask.call(geolocation, success, failure, options);
        const owned = owner();
        const id = ++serial;
        if (owned > 0) t.locating.set(id, owned);
        let watch: number | undefined;
        const answered = () => {
          t.locating.delete(id);
          if (watch !== undefined) watches.delete(watch);
        };
        const onFailure = typeof failure === 'function' ? inContext(failure as never, owned, answered) : (() => answered()) as never;
        const result = ask.call(geolocation, inContext(success as never, owned, answered), onFailure, options);
        if (name === 'watchPosition' && typeof result === 'number' && t.locating.has(id)) watches.set((watch = result), id);
        return result;
      });
    }
    const stopWatch = geolocation?.clearWatch as ((id: number) => void) | undefined;
    if (geolocation && typeof stopWatch === 'function') {
      // A watch stopped before its first answer will get none: nothing left to wait for.
      wrapLocation('clearWatch', function (this: unknown, id: number) {
        const asked = watches.get(id);
        if (asked !== undefined) {
          watches.delete(id);
          t.locating.delete(asked);
        }
        return stopWatch.call(geolocation, id);
      });
    }
  }
  if (action > 0) {
    tracker.action = action;
    tracker.watching = true;
    tracker.running = -1;
    tracker.timerLimitMs = timerLimitMs;
    tracker.waitingSince = undefined;
    tracker.fetches = [];
    for (const animation of document.getAnimations()) tracker.known.add(animation);
  }
  return tracker.mutations;
}
