/**
 * The PromQL queries that Legible's engine and a real Prometheus must answer alike, over the data
 * set of metricsDataset.ts. Each runs as instant queries at `at` and as range queries over
 * `ranges` (defaults below); every (query, time or range) pair counts as one comparison.
 */
import { T0, TEND } from './metricsDataset.js';

const MIN = 60_000;

/** Mid-run, off any scrape time. */
export const A = T0 + 95 * MIN + 7_500;
/** 63 s after api/i2's counter reset. */
export const B = T0 + 101 * MIN + 3_000;
/** Queue "a" last reported at about T0+60m: 6 minutes later it is past the lookback… */
export const GAP = T0 + 66 * MIN;
/** …3 minutes later it is still within it. */
export const GAP_EDGE = T0 + 63 * MIN;
/** After the end: the last samples are still within the 5-minute lookback. */
export const AFTER = TEND + 4 * MIN;
/** Long after the end: nothing. */
export const LATE = TEND + 10 * MIN;

export interface QueryRange {
  start: number;
  end: number;
  step: number;
}

export const R1: QueryRange = { start: T0 + 20 * MIN, end: T0 + 170 * MIN, step: 60_000 };
/** Across queue "a"'s gap at the scrape interval. */
export const R2: QueryRange = { start: T0 + 55 * MIN, end: T0 + 80 * MIN, step: 15_000 };
/** The whole run at an odd step, past the end. */
export const R3: QueryRange = { start: T0, end: TEND + 8 * MIN, step: 37_000 };

export interface CorpusCase {
  query: string;
  at?: number[];
  ranges?: QueryRange[];
  /** sort()/sort_desc(): the instant answer's order matters. */
  ordered?: boolean;
}

const c = (query: string, options: Omit<CorpusCase, 'query'> = {}): CorpusCase => ({ query, ...options });
const gap = { at: [GAP, GAP_EDGE, AFTER, LATE], ranges: [R2, R3] };

export const CORPUS: CorpusCase[] = [
  // Selectors: the four matchers, names as labels, empty answers.
  c('http_requests_total'),
  c('http_requests_total{job="api"}'),
  c('http_requests_total{job!="api", status="500"}'),
  c('http_requests_total{instance=~"i[12]", method!~"G.*"}'),
  c('{__name__=~"http_requests_total|up", job="web"}'),
  c('{__name__=~"node_cpu.*", cpu="0"}'),
  c('path_hits_total{path=~"/api/.*"}'),
  c('path_hits_total{path!~"/api/v1/.+"}'),
  c('up{job=""}'),
  c('up{job=~"", instance="i1"}'),
  c('nonexistent_metric'),
  c('build_info'),
  c('queue_depth', gap),
  c('up', { at: [AFTER, LATE], ranges: [R3] }),
  // Offset and @.
  c('http_requests_total offset 10m'),
  c('http_requests_total offset -10m'),
  c('temperature_celsius offset 1h30m'),
  c(`http_requests_total @ ${(T0 + 30 * MIN) / 1000}`),
  c('temperature_celsius @ start()'),
  c('temperature_celsius @ end()'),
  c('rate(http_requests_total[5m] @ end())'),
  c(`temperature_celsius offset 5m @ ${(T0 + 40 * MIN) / 1000}`),
  // NaN and infinities.
  c('special_values', { ranges: [R1, R3] }),
  // Range vectors as instant answers.
  c('http_requests_total{job="api", instance="i1"}[5m]', { ranges: [] }),
  c('queue_depth[10m]', { at: [GAP, GAP_EDGE, T0 + 77 * MIN], ranges: [] }),
  c('temperature_celsius[5m] offset 1h', { ranges: [] }),
  c('special_values[2m]', { ranges: [] }),
  c(`slow_counter_total[3m] @ ${(T0 + 50 * MIN) / 1000}`, { ranges: [] }),
  // Counters and rates.
  c('rate(http_requests_total[5m])', { ranges: [R1, R3] }),
  c('rate(http_requests_total[1m])'),
  c('rate(http_requests_total[30s])'),
  c('rate(http_requests_total[20s])'),
  c('irate(http_requests_total[5m])'),
  c('increase(http_requests_total[10m])'),
  c('increase(http_requests_total{job="api", instance="i2"}[10m])', { at: [B, T0 + 99 * MIN, T0 + 105 * MIN] }),
  c('rate(http_requests_total{job="api", instance="i2"}[2m])', { at: [B, T0 + 100 * MIN + 20_000] }),
  c('resets(http_requests_total[1h])', { at: [B, AFTER] }),
  c('delta(temperature_celsius[10m])'),
  c('idelta(temperature_celsius[5m])'),
  c('deriv(temperature_celsius[10m])'),
  c('deriv(memory_usage_bytes[15m])'),
  c('predict_linear(memory_usage_bytes[30m], 3600)'),
  c('predict_linear(temperature_celsius[10m], 600)'),
  c('rate(slow_counter_total[5m])', { ranges: [R1, R3] }),
  c('rate(slow_counter_total[2m])'),
  c('increase(slow_counter_total[3m])'),
  c('rate(batch_items_total[2m])', { ranges: [R1, R3] }),
  c('increase(batch_items_total[1h])'),
  c('irate(batch_items_total[1m])'),
  c('rate(special_values[5m])'),
  c('delta(special_values[5m])'),
  c('deriv(special_values[5m])'),
  c('changes(integers[10m])'),
  c('changes(special_values[5m])'),
  c('rate(queue_depth[5m])', gap),
  // *_over_time.
  c('avg_over_time(temperature_celsius[10m])'),
  c('sum_over_time(integers[5m])'),
  c('min_over_time(temperature_celsius[30m])'),
  c('max_over_time(temperature_celsius[30m])'),
  c('count_over_time(batch_items_total[5m])'),
  c('count_over_time(queue_depth[5m])', gap),
  c('last_over_time(temperature_celsius[5m])'),
  c('last_over_time(queue_depth[10m])', gap),
  c('present_over_time(queue_depth[5m])', gap),
  c('quantile_over_time(0.9, temperature_celsius[30m])'),
  c('quantile_over_time(0, integers[10m])'),
  c('quantile_over_time(1.5, integers[10m])'),
  c('stddev_over_time(temperature_celsius[30m])'),
  c('stdvar_over_time(memory_usage_bytes[30m])'),
  c('avg_over_time(special_values[5m])'),
  c('sum_over_time(special_values[5m])'),
  c('max_over_time(special_values[5m])'),
  c('min_over_time(special_values[5m])'),
  c('stddev_over_time(special_values[5m])'),
  c('quantile_over_time(0.5, special_values[5m])'),
  c('absent_over_time(queue_depth{queue="a"}[5m])', gap),
  c('absent_over_time(nonexistent{job="x"}[5m])'),
  c('holt_winters(temperature_celsius[10m], 0.5, 0.5)'),
  c('holt_winters(memory_usage_bytes[10m], 0.1, 0.9)'),
  // Aggregations.
  c('sum(http_requests_total)'),
  c('sum by (job) (rate(http_requests_total[5m]))', { ranges: [R1, R3] }),
  c('sum without (instance, method) (rate(http_requests_total[5m]))'),
  c('sum(rate(http_requests_total[5m])) by (status)'),
  c('avg by (status) (rate(http_requests_total[5m]))'),
  c('min by (job) (temperature_celsius)'),
  c('max by (job) (http_requests_total)'),
  c('count by (instance) (http_requests_total)'),
  c('count(up == 1)'),
  c('group by (job) (up)'),
  c('stddev by (job) (http_requests_total)'),
  c('stdvar(temperature_celsius)'),
  c('topk(3, http_requests_total)'),
  c('topk by (job) (2, rate(http_requests_total[5m]))'),
  c('bottomk(2, temperature_celsius)'),
  c('topk(0, temperature_celsius)'),
  c('topk(100, temperature_celsius)'),
  c('quantile(0.5, temperature_celsius)'),
  c('quantile by (job) (0.9, rate(http_requests_total[5m]))'),
  c('quantile(-1, temperature_celsius)'),
  c('count_values("value", integers)'),
  c('count_values by (n) ("v", integers)'),
  c('count_values without (n) ("val", integers)'),
  c('sum(special_values)'),
  c('max(special_values)'),
  c('min(special_values)'),
  c('avg(special_values)'),
  c('stddev(special_values)'),
  c('topk(2, special_values)'),
  c('bottomk(1, special_values)'),
  c('sum by (__name__) ({__name__=~"node_cpu.*"})'),
  c('avg without (cpu) (rate(node_cpu_seconds_total[5m]))'),
  c('sum(queue_depth)', gap),
  // Histograms.
  c('histogram_quantile(0.9, rate(http_request_duration_seconds_bucket[5m]))', { ranges: [R1, R3] }),
  c('histogram_quantile(0.5, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))'),
  c('histogram_quantile(0.99, sum by (job, le) (increase(http_request_duration_seconds_bucket[10m])))'),
  c('histogram_quantile(1.5, rate(http_request_duration_seconds_bucket[5m]))'),
  c('histogram_quantile(0, rate(http_request_duration_seconds_bucket[5m]))'),
  c('histogram_quantile(0.5, http_request_duration_seconds_bucket{le!="+Inf"})'),
  c('rate(http_request_duration_seconds_sum[5m]) / rate(http_request_duration_seconds_count[5m])'),
  // Scalar arithmetic.
  c('1 + 2 * 3'),
  c('2 ^ 3 ^ 2'),
  c('(1 + 2) / 0'),
  c('-(-1)'),
  c('0 / 0'),
  c('1 > bool 2'),
  c('1 == bool 1'),
  c('5 % 3 - -2'),
  c('2 atan2 3'),
  // Vector and scalar.
  c('http_requests_total + 1'),
  c('2 * http_requests_total'),
  c('http_requests_total / 0'),
  c('-http_requests_total'),
  c('+temperature_celsius'),
  c('http_requests_total % 7'),
  c('2 ^ temperature_celsius'),
  c('temperature_celsius ^ 2'),
  c('temperature_celsius atan2 2'),
  c('http_requests_total > 1000'),
  c('http_requests_total > bool 1000'),
  c('1000 < http_requests_total'),
  c('20 >= bool temperature_celsius'),
  c('special_values > 0'),
  c('special_values == bool special_values'),
  // Vector and vector.
  c('rate(http_requests_total{status="500"}[5m]) / ignoring(status) rate(http_requests_total{status="200"}[5m])'),
  c('http_requests_total / on(job, instance, method) group_left http_requests_total{status="200"}'),
  c('sum by (job) (rate(http_requests_total[5m])) / on(job) group_right sum by (job, instance) (rate(http_requests_total[5m]))'),
  c('up * on() group_left(version, revision) build_info'),
  c('up + on(job, instance) group_left(method) http_requests_total{status="200", method="GET"}'),
  c('http_requests_total == on(job, instance, method, status) http_requests_total'),
  c('memory_usage_bytes > on(instance) memory_usage_bytes offset 5m'),
  c('temperature_celsius > bool on(room) temperature_celsius offset 1m'),
  c('http_requests_total - http_requests_total offset 5m'),
  c('node_cpu_seconds_total - node_cpu_guest_seconds_total'),
  c('node_cpu_seconds_total > node_cpu_guest_seconds_total'),
  c('http_requests_total / on(job) http_requests_total'),
  c('http_requests_total + on(job) group_left up'),
  c('rate({__name__=~"node_cpu.*"}[5m])'),
  c('abs({__name__=~"node_cpu.*"})'),
  // Set operators.
  c('up and on(job) (up == 0)', { at: [A, T0 + 125 * MIN], ranges: [R1, R3] }),
  c('http_requests_total{status="500"} or http_requests_total{method="POST"}'),
  c('http_requests_total unless http_requests_total{job="api"}'),
  c('queue_depth or vector(0)', gap),
  c('up unless on(instance) (up == 0)', { at: [T0 + 125 * MIN], ranges: [R1] }),
  c('temperature_celsius > 20 or temperature_celsius < 0'),
  c('(up == 0) or on() vector(0)', { at: [A, T0 + 125 * MIN], ranges: [R1] }),
  c('node_cpu_seconds_total and node_cpu_guest_seconds_total'),
  c('node_cpu_seconds_total and on(cpu) node_cpu_guest_seconds_total{mode="idle"}'),
  c('up unless nonexistent'),
  c('nonexistent or up{job="api"}'),
  // Functions.
  c('abs(temperature_celsius - 20)'),
  c('ceil(temperature_celsius)'),
  c('floor(temperature_celsius)'),
  c('round(temperature_celsius)'),
  c('round(temperature_celsius, 0.5)'),
  c('round(memory_usage_bytes, 1e6)'),
  c('exp(temperature_celsius / 10)'),
  c('ln(memory_usage_bytes)'),
  c('log2(memory_usage_bytes)'),
  c('log10(memory_usage_bytes)'),
  c('sqrt(temperature_celsius)'),
  c('sgn(temperature_celsius - 20)'),
  c('clamp(temperature_celsius, 0, 20)'),
  c('clamp(temperature_celsius, 20, 0)'),
  c('clamp_min(temperature_celsius, 19)'),
  c('clamp_max(temperature_celsius, 19)'),
  c('abs(special_values)'),
  c('time()'),
  c('timestamp(http_requests_total)'),
  c('timestamp(rate(http_requests_total[5m]))'),
  c('time() - timestamp(queue_depth)', gap),
  c('vector(1)'),
  c('vector(time())'),
  c('scalar(up{job="api", instance="i1"})'),
  c('scalar(up)'),
  c('scalar(sum(up)) * up'),
  c('label_replace(up, "host", "$1", "instance", "i(.*)")'),
  c('label_replace(up, "job", "", "job", ".*")'),
  c('label_replace(up, "x", "${1}-$2", "instance", "(i)(\\\\d)")'),
  c('label_replace(path_hits_total, "section", "$1", "path", "/([^/]+)/.*")'),
  c('label_replace(up, "name", "$1x", "instance", "(.*)")'),
  c('label_replace(up, "__name__", "renamed", "", "")'),
  c('label_join(up, "id", "-", "job", "instance")'),
  c('label_join(up, "id", ",")'),
  c('label_join(temperature_celsius, "where", "/", "room", "missing", "room")'),
  c('sort(temperature_celsius)', { ordered: true }),
  c('sort_desc(memory_usage_bytes)', { ordered: true }),
  c('absent(nonexistent{job="x"})'),
  c('absent(up)'),
  c('absent(nonexistent{a="b", a="c"})'),
  c('absent(nonexistent{job=~"x", instance="y"})'),
  c('absent(sum(nonexistent))'),
  c('minute()'),
  c('hour()'),
  c('day_of_week()'),
  c('day_of_month()'),
  c('day_of_year()'),
  c('days_in_month()'),
  c('month()'),
  c('year()'),
  c('hour(timestamp(up))'),
  c('day_of_year(vector(1709251200))'),
  c('days_in_month(vector(1709251200))'),
  c('sin(temperature_celsius)'),
  c('cos(temperature_celsius)'),
  c('tan(temperature_celsius)'),
  c('asin(vector(0.5))'),
  c('acos(vector(0.5))'),
  c('atan(temperature_celsius)'),
  c('sinh(vector(1))'),
  c('cosh(vector(1))'),
  c('tanh(vector(1))'),
  c('asinh(vector(1))'),
  c('acosh(vector(2))'),
  c('atanh(vector(0.5))'),
  c('deg(vector(pi()))'),
  c('rad(vector(180))'),
  c('pi()'),
  c('histogram_count(http_requests_total)'),
  // Subqueries.
  c('max_over_time(rate(http_requests_total[5m])[30m:1m])'),
  c('avg_over_time(temperature_celsius[10m:])'),
  c('rate(http_requests_total[5m:30s])'),
  c('max_over_time(deriv(temperature_celsius[5m])[20m:2m] offset 5m)'),
  c('sum_over_time((up == 0)[30m:1m])', { at: [T0 + 125 * MIN, AFTER], ranges: [R1] }),
  c('max_over_time(avg_over_time(temperature_celsius[5m:1m])[15m:5m])'),
  c('rate(http_requests_total{job="api", instance="i1", method="GET", status="200"}[5m])[10m:1m]', { ranges: [] }),
  c('temperature_celsius[7m:2m]', { ranges: [] }),
  c(`max_over_time(temperature_celsius[10m:1m] @ ${(T0 + 45 * MIN) / 1000})`),
  // Top-level odds and ends.
  c('"hello"', { ranges: [R1] }),
  c('1', { ranges: [R1] }),
  c('http_requests_total[5m]', { at: [], ranges: [R1] }),
  c('sum(foo', { ranges: [] }),
];
