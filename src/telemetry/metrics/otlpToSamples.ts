import { LegibleError } from '../../util/errors.js';
import type { Labels, SeriesSample } from '../model.js';
import { labelsKey } from './labels.js';
import {
  otlpMetricsRequestSchema,
  type OtlpAnyValue,
  type OtlpAttributes,
  type OtlpExponentialPoint,
  type OtlpHistogramPoint,
  type OtlpMetric,
  type OtlpMetricsRequest,
  type OtlpNumberPoint,
  type OtlpSummaryPoint,
} from './otlpTypes.js';
import { prometheusLabelName, prometheusMetricName, type OtlpMetricKind } from './promNames.js';
import type { MetricStore } from './store.js';
import { formatValue } from './values.js';

/**
 * OTLP metrics → samples named as Prometheus names them when it receives OTLP, so the PromQL
 * an agent knows works: counters `…_total`, histograms `…_bucket{le}` / `…_sum` / `…_count`,
 * summaries `…{quantile}` / `_sum` / `_count`, unit suffixes; resource `service.namespace` +
 * `service.name` → `job`, `service.instance.id` → `instance`, the other resource attributes on
 * a `target_info` series; data point attributes as labels (names sanitized).
 *
 * Where Legible differs from Prometheus 2.x's OTLP receiver, on purpose:
 * - delta temporality (which Prometheus drops) is accumulated per series into cumulative totals
 *   from the first point Legible sees, as the Collector's deltatocumulative processor does;
 * - exponential histograms (native histograms in Prometheus) become classic `_bucket` series whose
 *   `le` bounds are the exponential bucket bounds, so histogram_quantile works on them.
 * Points flagged "no recorded value" become stale markers, as in Prometheus.
 */

export interface OtlpConversion {
  samples: SeriesSample[];
  /** Series to mark stale (points flagged "no recorded value"). */
  stale: { labels: Labels; timeMs: number }[];
  /** Data points not converted, and why (at most a few reasons, each once). */
  dropped: number;
  reasons: string[];
}

/** Validates an OTLP/JSON metrics body; a LegibleError says where it is wrong. */
export function parseOtlpMetrics(body: unknown): OtlpMetricsRequest {
  const result = otlpMetricsRequestSchema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new LegibleError(`Not an OTLP metrics payload: ${issue.message} at ${issue.path.join('.') || 'the top level'}.`, 'Send an ExportMetricsServiceRequest: {"resourceMetrics":[{"resource":{…},"scopeMetrics":[{"metrics":[…]}]}]}.');
}

const NO_RECORDED_VALUE = 1;

/** Converts OTLP metrics; keeps the running totals of delta series between calls. */
export class OtlpMetricsConverter {
  private readonly totals = new Map<string, number>();

  constructor(
    private readonly maxDeltaSeries = 50_000,
    private readonly now: () => number = Date.now,
  ) {}

  convert(request: OtlpMetricsRequest): OtlpConversion {
    const out: OtlpConversion = { samples: [], stale: [], dropped: 0, reasons: [] };
    for (const resourceMetrics of request.resourceMetrics ?? []) {
      const resource = attributeMap(resourceMetrics.resource?.attributes);
      const targetLabels = resourceLabels(resource);
      let latest = -Infinity;
      for (const scope of resourceMetrics.scopeMetrics ?? []) {
        for (const metric of scope.metrics ?? []) {
          const before = out.samples.length;
          this.metric(metric, targetLabels, out);
          for (let i = before; i < out.samples.length; i++) latest = Math.max(latest, out.samples[i]!.timeMs);
        }
      }
      const info = targetInfo(resource, targetLabels);
      if (info && Number.isFinite(latest)) out.samples.push({ labels: info, timeMs: latest, value: 1 });
    }
    return out;
  }

  private drop(out: OtlpConversion, count: number, reason: string): void {
    out.dropped += count;
    if (!out.reasons.includes(reason) && out.reasons.length < 5) out.reasons.push(reason);
  }

  private metric(metric: OtlpMetric, target: Labels, out: OtlpConversion): void {
    const { name, unit } = metric;
    if (metric.gauge) {
      const base = prometheusMetricName(name, unit, 'gauge');
      for (const point of metric.gauge.dataPoints ?? []) this.emit(out, base, point, target, {}, numberValue(point), false);
      return;
    }
    if (metric.sum) {
      const kind: OtlpMetricKind = metric.sum.isMonotonic ? 'counter' : 'updown';
      const delta = this.temporality(metric.sum.aggregationTemporality, metric.sum.dataPoints?.length ?? 0, name, out);
      if (delta === undefined) return;
      const base = prometheusMetricName(name, unit, kind);
      for (const point of metric.sum.dataPoints ?? []) this.emit(out, base, point, target, {}, numberValue(point), delta);
      return;
    }
    if (metric.histogram) {
      const delta = this.temporality(metric.histogram.aggregationTemporality, metric.histogram.dataPoints?.length ?? 0, name, out);
      if (delta === undefined) return;
      const base = prometheusMetricName(name, unit, 'histogram');
      for (const point of metric.histogram.dataPoints ?? []) this.histogram(out, base, point, target, delta);
      return;
    }
    if (metric.exponentialHistogram) {
      const delta = this.temporality(metric.exponentialHistogram.aggregationTemporality, metric.exponentialHistogram.dataPoints?.length ?? 0, name, out);
      if (delta === undefined) return;
      const base = prometheusMetricName(name, unit, 'histogram');
      for (const point of metric.exponentialHistogram.dataPoints ?? []) this.exponential(out, base, point, target, delta);
      return;
    }
    if (metric.summary) {
      const base = prometheusMetricName(name, unit, 'summary');
      for (const point of metric.summary.dataPoints ?? []) this.summary(out, base, point, target);
      return;
    }
    this.drop(out, 0, `metric "${name.slice(0, 80)}" has no data (gauge, sum, histogram, exponentialHistogram or summary)`);
  }

  /** true: delta; false: cumulative; undefined: unspecified (dropped, as Prometheus does). */
  private temporality(value: number | string | undefined, points: number, name: string, out: OtlpConversion): boolean | undefined {
    if (value === 1 || value === 'AGGREGATION_TEMPORALITY_DELTA') return true;
    if (value === 2 || value === 'AGGREGATION_TEMPORALITY_CUMULATIVE') return false;
    this.drop(out, points, `metric "${name.slice(0, 80)}" has no aggregation temporality`);
    return undefined;
  }

  /** One sample (or stale marker) of series `name` with the point's attributes, `extra` labels. */
  private emit(out: OtlpConversion, name: string, point: { attributes?: OtlpAttributes; timeUnixNano?: string | number; flags?: number }, target: Labels, extra: Labels, value: number, delta: boolean): void {
    const labels: Labels = { ...pointLabels(point.attributes), ...target, ...extra, __name__: name };
    const timeMs = nanosToMs(point.timeUnixNano) ?? this.now();
    if ((point.flags ?? 0) & NO_RECORDED_VALUE) {
      out.stale.push({ labels, timeMs });
      return;
    }
    if (delta) value = this.accumulate(labels, value);
    out.samples.push({ labels, timeMs, value });
  }

  private accumulate(labels: Labels, value: number): number {
    const key = labelsKey(labels);
    const total = (this.totals.get(key) ?? 0) + value;
    if (!this.totals.has(key) && this.totals.size >= this.maxDeltaSeries) {
      // Forget the oldest running total (Map keeps insertion order).
      this.totals.delete(this.totals.keys().next().value!);
    }
    this.totals.set(key, total);
    return total;
  }

  private histogram(out: OtlpConversion, base: string, point: OtlpHistogramPoint, target: Labels, delta: boolean): void {
    const counts = (point.bucketCounts ?? []).map(toNumber);
    const bounds = (point.explicitBounds ?? []).map(toNumber);
    let cumulative = 0;
    for (let i = 0; i < bounds.length && i < counts.length; i++) {
      cumulative += counts[i]!;
      this.emit(out, `${base}_bucket`, point, target, { le: formatValue(bounds[i]!) }, cumulative, delta);
    }
    this.finishHistogram(out, base, point, target, delta);
  }

  /** Exponential buckets as classic ones: bucket i at scale s covers (b^i, b^(i+1)] with b = 2^(2^−s). */
  private exponential(out: OtlpConversion, base: string, point: OtlpExponentialPoint, target: Labels, delta: boolean): void {
    const scale = point.scale ?? 0;
    const bound = (index: number) => 2 ** (index * 2 ** -scale);
    let cumulative = 0;
    const negative = (point.negative?.bucketCounts ?? []).map(toNumber);
    const negativeOffset = point.negative?.offset ?? 0;
    for (let i = negative.length - 1; i >= 0; i--) {
      cumulative += negative[i]!;
      this.emit(out, `${base}_bucket`, point, target, { le: formatValue(-bound(negativeOffset + i)) }, cumulative, delta);
    }
    cumulative += toNumber(point.zeroCount ?? 0);
    this.emit(out, `${base}_bucket`, point, target, { le: formatValue(toNumber(point.zeroThreshold ?? 0)) }, cumulative, delta);
    const positive = (point.positive?.bucketCounts ?? []).map(toNumber);
    const positiveOffset = point.positive?.offset ?? 0;
    for (let i = 0; i < positive.length; i++) {
      cumulative += positive[i]!;
      this.emit(out, `${base}_bucket`, point, target, { le: formatValue(bound(positiveOffset + i + 1)) }, cumulative, delta);
    }
    this.finishHistogram(out, base, point, target, delta);
  }

  private finishHistogram(out: OtlpConversion, base: string, point: OtlpHistogramPoint | OtlpExponentialPoint, target: Labels, delta: boolean): void {
    const count = toNumber(point.count ?? 0);
    this.emit(out, `${base}_bucket`, point, target, { le: '+Inf' }, count, delta);
    if (point.sum !== undefined) this.emit(out, `${base}_sum`, point, target, {}, toNumber(point.sum), delta);
    this.emit(out, `${base}_count`, point, target, {}, count, delta);
  }

  private summary(out: OtlpConversion, base: string, point: OtlpSummaryPoint, target: Labels): void {
    for (const quantile of point.quantileValues ?? []) {
      this.emit(out, base, point, target, { quantile: formatValue(toNumber(quantile.quantile ?? 0)) }, toNumber(quantile.value ?? 0), false);
    }
    if (point.sum !== undefined) this.emit(out, `${base}_sum`, point, target, {}, toNumber(point.sum), false);
    this.emit(out, `${base}_count`, point, target, {}, toNumber(point.count ?? 0), false);
  }
}

/** Converts and stores; what was dropped is returned for the receiver to report. */
export function ingestOtlpMetrics(
  store: MetricStore,
  converter: OtlpMetricsConverter,
  request: OtlpMetricsRequest,
): { samples: number; stale: number; dropped: number; unconverted: number; reasons: string[] } {
  const conversion = converter.convert(request);
  const samples = store.appendMany(conversion.samples);
  let stale = 0;
  for (const marker of conversion.stale) if (store.appendStale(marker.labels, marker.timeMs)) stale++;
  // `dropped`: not converted, or refused by the store (older than the series' newest sample).
  return { samples, stale, dropped: conversion.dropped + (conversion.samples.length - samples), unconverted: conversion.dropped, reasons: conversion.reasons };
}

function toNumber(value: number | string): number {
  if (typeof value === 'number') return value;
  if (value === 'NaN') return NaN;
  if (value === 'Infinity') return Infinity;
  if (value === '-Infinity') return -Infinity;
  return Number(value);
}

function numberValue(point: OtlpNumberPoint): number {
  if (point.asDouble !== undefined) return toNumber(point.asDouble);
  if (point.asInt !== undefined) return toNumber(point.asInt);
  return 0;
}

function nanosToMs(value: string | number | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = typeof value === 'number' ? Math.floor(value / 1e6) : Number(BigInt(value) / 1_000_000n);
  return ms > 0 ? ms : undefined;
}

/** An attribute value as the label value Prometheus writes (OpenTelemetry's AsString). */
function valueString(value: OtlpAnyValue | undefined): string {
  if (!value) return '';
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return String(value.boolValue);
  if (value.intValue !== undefined) return String(value.intValue);
  if (value.doubleValue !== undefined) return formatValue(toNumber(value.doubleValue));
  if (value.bytesValue !== undefined) return value.bytesValue;
  if (value.arrayValue) return JSON.stringify((value.arrayValue.values ?? []).map(jsonValue));
  if (value.kvlistValue) return JSON.stringify(Object.fromEntries((value.kvlistValue.values ?? []).map((entry) => [entry.key, jsonValue(entry.value)])));
  return '';
}

function jsonValue(value: OtlpAnyValue | undefined): unknown {
  if (!value) return null;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return toNumber(value.doubleValue);
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.arrayValue || value.kvlistValue) return JSON.parse(valueString(value));
  return valueString(value);
}

function attributeMap(attributes: OtlpAttributes): Map<string, string> {
  const map = new Map<string, string>();
  for (const attribute of attributes ?? []) map.set(attribute.key, valueString(attribute.value));
  return map;
}

/** Attributes as labels, keys sorted so that keys colliding once sanitized join as "a;b", as Prometheus does. */
function pointLabels(attributes: OtlpAttributes): Labels {
  const labels: Labels = {};
  const sorted = [...(attributes ?? [])].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (const attribute of sorted) {
    const name = prometheusLabelName(attribute.key);
    const value = valueString(attribute.value);
    labels[name] = name in labels ? `${labels[name]};${value}` : value;
  }
  return labels;
}

const IDENTIFYING = new Set(['service.name', 'service.namespace', 'service.instance.id']);

function resourceLabels(resource: Map<string, string>): Labels {
  const labels: Labels = {};
  const service = resource.get('service.name');
  if (service) {
    const namespace = resource.get('service.namespace');
    labels.job = namespace ? `${namespace}/${service}` : service;
  }
  const instance = resource.get('service.instance.id');
  if (instance) labels.instance = instance;
  return labels;
}

/** target_info: the resource attributes that are not job or instance, when there are any. */
function targetInfo(resource: Map<string, string>, target: Labels): Labels | undefined {
  const attributes = [...resource].filter(([key]) => !IDENTIFYING.has(key));
  if (!attributes.length) return undefined;
  return { ...pointLabels(attributes.map(([key, value]) => ({ key, value: { stringValue: value } }))), ...target, __name__: 'target_info' };
}
