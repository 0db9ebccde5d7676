import { LegibleError, UsageError } from '../../util/errors.js';

/**
 * The trace ids a remote backend's searches answered, newest kept, so that the short id the
 * search answer shows (its first 12 digits) opens the trace: Tempo and Jaeger look traces up by
 * the full id only (Tempo even reads a short id as a different, zero-padded one).
 */
export class TraceIdMemory {
  private readonly ids = new Set<string>();

  constructor(private readonly max = 5_000) {}

  remember(ids: Iterable<string>): void {
    for (const raw of ids) {
      const id = raw.toLowerCase();
      this.ids.delete(id);
      this.ids.add(id);
      if (this.ids.size > this.max) this.ids.delete(this.ids.values().next().value!);
    }
  }

  /** The full id for an id or a prefix of one this session's searches answered; a LegibleError otherwise. */
  resolve(idOrPrefix: string, where: string): string {
    const wanted = idOrPrefix.trim().toLowerCase();
    if (!/^[0-9a-f]{1,32}$/.test(wanted)) {
      throw new UsageError(`${JSON.stringify(idOrPrefix.slice(0, 100))} is not a trace id.`, 'A trace id is 32 hex digits; the short id a search answered (its first 12) is enough.');
    }
    if (this.ids.has(wanted)) return wanted;
    const found = [...this.ids].filter((id) => id.startsWith(wanted) || id.replace(/^0{16}/, '').startsWith(wanted));
    if (found.length === 1) return found[0]!;
    if (found.length > 1) throw new UsageError(`${found.length} traces found by this session start with ${wanted}: ${found.slice(0, 5).join(', ')}.`, 'Give more digits of the id.');
    if (wanted.length === 32 || wanted.length === 16) return wanted;
    throw new UsageError(
      `${wanted} is not a whole trace id, and no search of ${where} in this session answered a trace starting with it.`,
      'Give the full 32-digit id, or search first (a short id then works for the traces the search answered).',
    );
  }
}
