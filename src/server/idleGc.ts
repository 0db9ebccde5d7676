import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** A full collection every this many tool calls. */
const EVERY_CALLS = 20;

let collect: (() => void) | undefined;
let calls = 0;

/**
 * Every action leaves its outline and reports behind as garbage, and V8 lets the heap (and the
 * process's resident memory) grow a long way before a full collection. A full collection after
 * every few calls, once the answer is on its way, keeps resident memory flat over a long session
 * for a few milliseconds of idle time. The live heap itself stays about the same either way.
 */
export function afterToolCall(): void {
  if (++calls % EVERY_CALLS !== 0) return;
  if (!collect) {
    try {
      setFlagsFromString('--expose-gc');
      collect = runInNewContext('gc') as () => void;
    } catch {
      collect = () => undefined;
    }
  }
  setImmediate(() => collect?.());
}
