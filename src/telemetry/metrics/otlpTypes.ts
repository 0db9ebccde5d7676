import { z } from 'zod';

/**
 * The OTLP metrics data model in its JSON encoding (OTLP/HTTP with `application/json`, and what
 * the receiver decodes protobuf bodies into): resourceMetrics[].scopeMetrics[].metrics[], each a
 * gauge, sum, histogram, exponentialHistogram or summary. Only the fields Legible reads are
 * declared; unknown ones pass. 64-bit integers may come as strings (the protobuf JSON mapping)
 * or numbers; doubles as numbers or "NaN" / "Infinity" / "-Infinity"; enums as numbers or names.
 */

const int64 = z.union([z.string().regex(/^-?\d+$/), z.number().int()]);
const double = z.union([z.number(), z.enum(['NaN', 'Infinity', '-Infinity'])]);

export type OtlpAnyValue = {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string | number;
  doubleValue?: number | string;
  bytesValue?: string;
  arrayValue?: { values?: OtlpAnyValue[] };
  kvlistValue?: { values?: { key: string; value?: OtlpAnyValue }[] };
};

const anyValue: z.ZodType<OtlpAnyValue> = z.lazy(() =>
  z.looseObject({
    stringValue: z.string().optional(),
    boolValue: z.boolean().optional(),
    intValue: int64.optional(),
    doubleValue: double.optional(),
    bytesValue: z.string().optional(),
    arrayValue: z.looseObject({ values: z.array(anyValue).optional() }).optional(),
    kvlistValue: z.looseObject({ values: z.array(z.looseObject({ key: z.string(), value: anyValue.optional() })).optional() }).optional(),
  }),
);

const attributes = z.array(z.looseObject({ key: z.string(), value: anyValue.optional() })).optional();

const temporality = z.union([z.number().int(), z.enum(['AGGREGATION_TEMPORALITY_UNSPECIFIED', 'AGGREGATION_TEMPORALITY_DELTA', 'AGGREGATION_TEMPORALITY_CUMULATIVE'])]).optional();

const pointBase = {
  attributes,
  startTimeUnixNano: int64.optional(),
  timeUnixNano: int64.optional(),
  /** Bit 0: no recorded value (Prometheus writes a stale marker). */
  flags: z.number().int().optional(),
};

const numberPoint = z.looseObject({ ...pointBase, asDouble: double.optional(), asInt: int64.optional() });

const histogramPoint = z.looseObject({
  ...pointBase,
  count: int64.optional(),
  sum: double.optional(),
  bucketCounts: z.array(int64).optional(),
  explicitBounds: z.array(double).optional(),
});

const buckets = z.looseObject({ offset: z.number().int().optional(), bucketCounts: z.array(int64).optional() }).optional();

const exponentialPoint = z.looseObject({
  ...pointBase,
  count: int64.optional(),
  sum: double.optional(),
  scale: z.number().int().optional(),
  zeroCount: int64.optional(),
  zeroThreshold: double.optional(),
  positive: buckets,
  negative: buckets,
});

const summaryPoint = z.looseObject({
  ...pointBase,
  count: int64.optional(),
  sum: double.optional(),
  quantileValues: z.array(z.looseObject({ quantile: double.optional(), value: double.optional() })).optional(),
});

const metric = z.looseObject({
  name: z.string(),
  description: z.string().optional(),
  unit: z.string().optional(),
  gauge: z.looseObject({ dataPoints: z.array(numberPoint).optional() }).optional(),
  sum: z.looseObject({ dataPoints: z.array(numberPoint).optional(), aggregationTemporality: temporality, isMonotonic: z.boolean().optional() }).optional(),
  histogram: z.looseObject({ dataPoints: z.array(histogramPoint).optional(), aggregationTemporality: temporality }).optional(),
  exponentialHistogram: z.looseObject({ dataPoints: z.array(exponentialPoint).optional(), aggregationTemporality: temporality }).optional(),
  summary: z.looseObject({ dataPoints: z.array(summaryPoint).optional() }).optional(),
});

export const otlpMetricsRequestSchema = z.looseObject({
  resourceMetrics: z
    .array(
      z.looseObject({
        resource: z.looseObject({ attributes }).optional(),
        scopeMetrics: z.array(z.looseObject({ scope: z.looseObject({ name: z.string().optional(), version: z.string().optional() }).optional(), metrics: z.array(metric).optional() })).optional(),
      }),
    )
    .optional(),
});

export type OtlpMetricsRequest = z.infer<typeof otlpMetricsRequestSchema>;
export type OtlpMetric = z.infer<typeof metric>;
export type OtlpNumberPoint = z.infer<typeof numberPoint>;
export type OtlpHistogramPoint = z.infer<typeof histogramPoint>;
export type OtlpExponentialPoint = z.infer<typeof exponentialPoint>;
export type OtlpSummaryPoint = z.infer<typeof summaryPoint>;
export type OtlpAttributes = z.infer<typeof attributes>;
