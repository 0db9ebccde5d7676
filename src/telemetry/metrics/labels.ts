import type { Labels } from '../model.js';

/**
 * Label sets as Prometheus treats them: a label with an empty value does not exist, `__name__`
 * is the metric name, and series sort by their labels compared pair by pair (names, then values,
 * in name order; a shorter set first when one is a prefix of the other).
 */

export const METRIC_NAME = '__name__';

/**
 * A string that identifies a label set and sorts like Prometheus' labels.Compare: the pairs in
 * name order, name and value separated by NUL (which sorts before every other character).
 */
export function labelsKey(labels: Labels): string {
  const names = Object.keys(labels).sort();
  let key = '';
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    let value = labels[name]!;
    // Empty values are no labels (normalizeLabels drops them), so they do not count here either.
    if (value === '' || value === undefined) continue;
    if (value.includes('\0')) value = value.replaceAll('\0', '\0\x01');
    key += key === '' ? `${name}\0${value}` : `\0${name}\0${value}`;
  }
  return key;
}

/** The labels without empty values, names in sorted order (the order every answer shows). */
export function normalizeLabels(labels: Labels): Labels {
  const out: Labels = {};
  for (const name of Object.keys(labels).sort()) {
    const value = labels[name];
    if (value !== undefined && value !== '') out[name] = value;
  }
  return out;
}

export function dropMetricName(labels: Labels): Labels {
  if (!(METRIC_NAME in labels)) return labels;
  const { [METRIC_NAME]: _name, ...rest } = labels;
  return rest;
}

export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `{__name__="up", job="api"}` as Prometheus prints it: `up{job="api"}`. */
export function formatLabels(labels: Labels): string {
  const name = labels[METRIC_NAME] ?? '';
  const pairs = Object.keys(labels)
    .filter((label) => label !== METRIC_NAME)
    .sort()
    .map((label) => `${label}=${JSON.stringify(labels[label])}`);
  return pairs.length || !name ? `${name}{${pairs.join(', ')}}` : name;
}
