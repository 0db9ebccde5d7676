import type { AnyValue, KeyValue } from './model.js';

/** A plain value of an attribute: strings, numbers (int64 beyond 2^53 stay strings), booleans, lists, maps. */
export type PlainValue = string | number | boolean | null | PlainValue[] | { [key: string]: PlainValue };

/** An OTLP AnyValue as a plain JS value. */
export function plainValue(value: AnyValue | undefined): PlainValue {
  if (!value) return null;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.intValue !== undefined) {
    const n = Number(value.intValue);
    return Number.isSafeInteger(n) ? n : value.intValue;
  }
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.arrayValue) return (value.arrayValue.values ?? []).map(plainValue);
  if (value.kvlistValue) return plainAttributes(value.kvlistValue.values);
  if (value.bytesValue !== undefined) return value.bytesValue;
  return null;
}

/** OTLP attributes as a plain object (later keys win, as the spec leaves duplicates undefined). */
export function plainAttributes(list: KeyValue[] | undefined): Record<string, PlainValue> {
  const out: Record<string, PlainValue> = {};
  for (const kv of list ?? []) out[kv.key] = plainValue(kv.value);
  return out;
}

/** One attribute's value as text: strings as they are, the rest as JSON. */
export function valueText(value: PlainValue): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
