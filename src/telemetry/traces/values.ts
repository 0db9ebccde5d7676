import type { AnyValue, KeyValue } from '../otlp/model.js';

/**
 * Attribute values as the span store keeps them: strings, booleans, numbers (int64 beyond 2^53
 * as bigint), and the rare arrays, maps and bytes as their OTLP AnyValue. A double with an
 * integral value (2.0) comes back out as intValue 2: JavaScript has one number type.
 */
export type StoredValue = string | number | boolean | bigint | AnyValue;

export function storedValue(value: AnyValue | undefined): StoredValue | undefined {
  if (!value) return undefined;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.intValue !== undefined) {
    const n = Number(value.intValue);
    return Number.isSafeInteger(n) ? n : BigInt(value.intValue);
  }
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.arrayValue || value.kvlistValue || value.bytesValue !== undefined) return value;
  return undefined;
}

export function anyValueOf(value: StoredValue): AnyValue {
  switch (typeof value) {
    case 'string':
      return { stringValue: value };
    case 'boolean':
      return { boolValue: value };
    case 'bigint':
      return { intValue: value.toString() };
    case 'number':
      return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };
    default:
      return value;
  }
}

/** Text for display: strings as they are, numbers and booleans as written, the rest as compact JSON. */
export function valueDisplay(value: StoredValue | undefined): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value.arrayValue) return `[${(value.arrayValue.values ?? []).map((v) => valueDisplay(storedValue(v))).join(', ')}]`;
  if (value.kvlistValue) return `{${(value.kvlistValue.values ?? []).map((kv) => `${kv.key}: ${valueDisplay(storedValue(kv.value))}`).join(', ')}}`;
  return value.bytesValue ?? '';
}

/**
 * OTLP KeyValues → a flat [key, value, key, value, …] list (the store's per-span layout), sized
 * exactly. Keys and short string values are shared: with `previous` (the last span's list) where
 * they are equal at the same position, which is cheap (one instrumentation repeats its keys in
 * order), else through `intern`. Sharing halves the memory a span's attributes hold.
 */
export function flatAttributes(list: KeyValue[] | undefined, intern: (text: string) => string, previous?: StoredValue[]): StoredValue[] {
  if (!list?.length) return EMPTY;
  const out: StoredValue[] = new Array<StoredValue>(list.length * 2);
  let at = 0;
  for (let i = 0; i < list.length; i++) {
    const kv = list[i]!;
    let value = storedValue(kv.value);
    if (value === undefined) continue;
    const key = previous && previous[at] === kv.key ? (previous[at] as string) : intern(kv.key);
    if (typeof value === 'string') {
      const before = previous?.[at + 1];
      value = before === value ? before : intern(value);
    }
    out[at++] = key;
    out[at++] = value;
  }
  if (at < out.length) out.length = at;
  return out;
}

const EMPTY: StoredValue[] = [];

export function findFlat(flat: StoredValue[], key: string): StoredValue | undefined {
  for (let i = 0; i < flat.length; i += 2) if (flat[i] === key) return flat[i + 1];
  return undefined;
}

export function keyValuesOf(flat: StoredValue[]): KeyValue[] {
  const out: KeyValue[] = [];
  for (let i = 0; i < flat.length; i += 2) out.push({ key: flat[i] as string, value: anyValueOf(flat[i + 1]!) });
  return out;
}

/** Rough bytes a value holds on the heap, for the store's byte cap. */
export function valueBytes(value: StoredValue): number {
  if (typeof value === 'string') return 16 + value.length * 2;
  if (typeof value === 'object') return 64 + JSON.stringify(value).length * 2;
  return 16;
}
