import type { INamespace } from 'protobufjs';

/**
 * The OTLP messages Legible receives, as a protobufjs JSON descriptor (`Root.fromJSON`), written
 * from the OTLP specification (opentelemetry-proto 1.x: common, resource, trace, logs, metrics and
 * the three collector services). No npm package ships the .proto files for Node 20 any more
 * (`@opentelemetry/otlp-transformer` 0.200+ hand-writes its encoder), so the field numbers live
 * here. Field names are lowerCamelCase, as the OTLP/JSON encoding writes them; fields Legible
 * does not know (newer spec versions) are skipped by the decoder.
 */

type Fields = Record<string, { type: string; id: number; rule?: 'repeated' }>;

/**
 * Every message is declared in edition 2023, which is proto3 with explicit presence: a field the
 * sender set to its default (a `false` or `0` attribute value, a gauge of 0) stays set, so the
 * OTLP oneofs (AnyValue.value, a data point's value, Metric.data) are told by which member is an
 * own property of the decoded message. Declaring them as oneofs instead made protobufjs delete
 * the other members on every set, turning each decoded AnyValue into a slow dictionary object
 * (a quarter of the span decode time).
 */
const msg = (fields: Fields) => ({ edition: '2023', fields });
const rep = (type: string, id: number) => ({ type, id, rule: 'repeated' as const });

const common = {
  AnyValue: msg({
    stringValue: { type: 'string', id: 1 },
    boolValue: { type: 'bool', id: 2 },
    intValue: { type: 'int64', id: 3 },
    doubleValue: { type: 'double', id: 4 },
    arrayValue: { type: 'ArrayValue', id: 5 },
    kvlistValue: { type: 'KeyValueList', id: 6 },
    bytesValue: { type: 'bytes', id: 7 },
  }),
  ArrayValue: msg({ values: rep('AnyValue', 1) }),
  KeyValueList: msg({ values: rep('KeyValue', 1) }),
  KeyValue: msg({ key: { type: 'string', id: 1 }, value: { type: 'AnyValue', id: 2 } }),
  InstrumentationScope: msg({
    name: { type: 'string', id: 1 },
    version: { type: 'string', id: 2 },
    attributes: rep('KeyValue', 3),
    droppedAttributesCount: { type: 'uint32', id: 4 },
  }),
  Resource: msg({ attributes: rep('KeyValue', 1), droppedAttributesCount: { type: 'uint32', id: 2 } }),
};

const trace = {
  ResourceSpans: msg({ resource: { type: 'Resource', id: 1 }, scopeSpans: rep('ScopeSpans', 2), schemaUrl: { type: 'string', id: 3 } }),
  ScopeSpans: msg({ scope: { type: 'InstrumentationScope', id: 1 }, spans: rep('Span', 2), schemaUrl: { type: 'string', id: 3 } }),
  Span: msg({
    traceId: { type: 'bytes', id: 1 },
    spanId: { type: 'bytes', id: 2 },
    traceState: { type: 'string', id: 3 },
    parentSpanId: { type: 'bytes', id: 4 },
    flags: { type: 'fixed32', id: 16 },
    name: { type: 'string', id: 5 },
    kind: { type: 'int32', id: 6 },
    startTimeUnixNano: { type: 'fixed64', id: 7 },
    endTimeUnixNano: { type: 'fixed64', id: 8 },
    attributes: rep('KeyValue', 9),
    droppedAttributesCount: { type: 'uint32', id: 10 },
    events: rep('SpanEvent', 11),
    droppedEventsCount: { type: 'uint32', id: 12 },
    links: rep('SpanLink', 13),
    droppedLinksCount: { type: 'uint32', id: 14 },
    status: { type: 'SpanStatus', id: 15 },
  }),
  SpanEvent: msg({
    timeUnixNano: { type: 'fixed64', id: 1 },
    name: { type: 'string', id: 2 },
    attributes: rep('KeyValue', 3),
    droppedAttributesCount: { type: 'uint32', id: 4 },
  }),
  SpanLink: msg({
    traceId: { type: 'bytes', id: 1 },
    spanId: { type: 'bytes', id: 2 },
    traceState: { type: 'string', id: 3 },
    attributes: rep('KeyValue', 4),
    droppedAttributesCount: { type: 'uint32', id: 5 },
    flags: { type: 'fixed32', id: 6 },
  }),
  SpanStatus: msg({ message: { type: 'string', id: 2 }, code: { type: 'int32', id: 3 } }),
};

const logs = {
  ResourceLogs: msg({ resource: { type: 'Resource', id: 1 }, scopeLogs: rep('ScopeLogs', 2), schemaUrl: { type: 'string', id: 3 } }),
  ScopeLogs: msg({ scope: { type: 'InstrumentationScope', id: 1 }, logRecords: rep('LogRecord', 2), schemaUrl: { type: 'string', id: 3 } }),
  LogRecord: msg({
    timeUnixNano: { type: 'fixed64', id: 1 },
    observedTimeUnixNano: { type: 'fixed64', id: 11 },
    severityNumber: { type: 'int32', id: 2 },
    severityText: { type: 'string', id: 3 },
    body: { type: 'AnyValue', id: 5 },
    attributes: rep('KeyValue', 6),
    droppedAttributesCount: { type: 'uint32', id: 7 },
    flags: { type: 'fixed32', id: 8 },
    traceId: { type: 'bytes', id: 9 },
    spanId: { type: 'bytes', id: 10 },
    eventName: { type: 'string', id: 12 },
  }),
};

const metrics = {
  ResourceMetrics: msg({ resource: { type: 'Resource', id: 1 }, scopeMetrics: rep('ScopeMetrics', 2), schemaUrl: { type: 'string', id: 3 } }),
  ScopeMetrics: msg({ scope: { type: 'InstrumentationScope', id: 1 }, metrics: rep('Metric', 2), schemaUrl: { type: 'string', id: 3 } }),
  Metric: msg(
    {
      name: { type: 'string', id: 1 },
      description: { type: 'string', id: 2 },
      unit: { type: 'string', id: 3 },
      gauge: { type: 'Gauge', id: 5 },
      sum: { type: 'Sum', id: 7 },
      histogram: { type: 'Histogram', id: 9 },
      exponentialHistogram: { type: 'ExponentialHistogram', id: 10 },
      summary: { type: 'Summary', id: 11 },
      metadata: rep('KeyValue', 12),
    },
  ),
  Gauge: msg({ dataPoints: rep('NumberDataPoint', 1) }),
  Sum: msg({ dataPoints: rep('NumberDataPoint', 1), aggregationTemporality: { type: 'int32', id: 2 }, isMonotonic: { type: 'bool', id: 3 } }),
  Histogram: msg({ dataPoints: rep('HistogramDataPoint', 1), aggregationTemporality: { type: 'int32', id: 2 } }),
  ExponentialHistogram: msg({ dataPoints: rep('ExponentialHistogramDataPoint', 1), aggregationTemporality: { type: 'int32', id: 2 } }),
  Summary: msg({ dataPoints: rep('SummaryDataPoint', 1) }),
  NumberDataPoint: msg(
    {
      attributes: rep('KeyValue', 7),
      startTimeUnixNano: { type: 'fixed64', id: 2 },
      timeUnixNano: { type: 'fixed64', id: 3 },
      asDouble: { type: 'double', id: 4 },
      asInt: { type: 'sfixed64', id: 6 },
      exemplars: rep('Exemplar', 5),
      flags: { type: 'uint32', id: 8 },
    },
  ),
  HistogramDataPoint: msg(
    {
      attributes: rep('KeyValue', 9),
      startTimeUnixNano: { type: 'fixed64', id: 2 },
      timeUnixNano: { type: 'fixed64', id: 3 },
      count: { type: 'fixed64', id: 4 },
      sum: { type: 'double', id: 5 },
      bucketCounts: rep('fixed64', 6),
      explicitBounds: rep('double', 7),
      exemplars: rep('Exemplar', 8),
      flags: { type: 'uint32', id: 10 },
      min: { type: 'double', id: 11 },
      max: { type: 'double', id: 12 },
    },
  ),
  ExponentialHistogramDataPoint: msg(
    {
      attributes: rep('KeyValue', 1),
      startTimeUnixNano: { type: 'fixed64', id: 2 },
      timeUnixNano: { type: 'fixed64', id: 3 },
      count: { type: 'fixed64', id: 4 },
      sum: { type: 'double', id: 5 },
      scale: { type: 'sint32', id: 6 },
      zeroCount: { type: 'fixed64', id: 7 },
      positive: { type: 'Buckets', id: 8 },
      negative: { type: 'Buckets', id: 9 },
      flags: { type: 'uint32', id: 10 },
      exemplars: rep('Exemplar', 11),
      min: { type: 'double', id: 12 },
      max: { type: 'double', id: 13 },
      zeroThreshold: { type: 'double', id: 14 },
    },
  ),
  Buckets: msg({ offset: { type: 'sint32', id: 1 }, bucketCounts: rep('uint64', 2) }),
  SummaryDataPoint: msg({
    attributes: rep('KeyValue', 7),
    startTimeUnixNano: { type: 'fixed64', id: 2 },
    timeUnixNano: { type: 'fixed64', id: 3 },
    count: { type: 'fixed64', id: 4 },
    sum: { type: 'double', id: 5 },
    quantileValues: rep('ValueAtQuantile', 6),
    flags: { type: 'uint32', id: 8 },
  }),
  ValueAtQuantile: msg({ quantile: { type: 'double', id: 1 }, value: { type: 'double', id: 2 } }),
  Exemplar: msg(
    {
      filteredAttributes: rep('KeyValue', 7),
      timeUnixNano: { type: 'fixed64', id: 2 },
      asDouble: { type: 'double', id: 3 },
      asInt: { type: 'sfixed64', id: 6 },
      spanId: { type: 'bytes', id: 4 },
      traceId: { type: 'bytes', id: 5 },
    },
  ),
};

/** The service answers: an empty message, or `partialSuccess` when some items were dropped. */
const responses = {
  PartialSuccess: msg({ rejected: { type: 'int64', id: 1 }, errorMessage: { type: 'string', id: 2 } }),
  ExportResponse: msg({ partialSuccess: { type: 'PartialSuccess', id: 1 } }),
  /** google.rpc.Status, the body of an OTLP/HTTP error answer (details left out). */
  Status: msg({ code: { type: 'int32', id: 1 }, message: { type: 'string', id: 2 } }),
};

/** One flat namespace: every message name above is unique across the OTLP packages Legible reads. */
export const OTLP_DESCRIPTOR: INamespace = {
  nested: { otlp: { nested: { ...common, ...trace, ...logs, ...metrics, ...responses } } },
};
