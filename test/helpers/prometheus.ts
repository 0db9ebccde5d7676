/**
 * A real Prometheus for tests (the process handling lives in prometheusServer.mjs, shared with
 * bench/). Without the binaries, tests skip loudly — except under CI=true, where they fail.
 */
import { findPrometheus, type PrometheusBinaries } from './prometheusServer.mjs';

export { backfill, findPrometheus, freePort, RunningPrometheus, type PrometheusApiAnswer, type PrometheusBinaries } from './prometheusServer.mjs';

/**
 * The binaries, or undefined to skip. Under CI=true a missing Prometheus is an error (the CI
 * script installs it); elsewhere the skip is printed so it is never mistaken for a pass.
 */
export function prometheusOrSkip(what: string): PrometheusBinaries | undefined {
  const found = findPrometheus();
  if (found) return found;
  const reason = `${what}: SKIPPED — no prometheus/promtool on the PATH (apt-get install -y prometheus, or set PROMETHEUS_PATH and PROMTOOL_PATH).`;
  if (process.env.CI === 'true') throw new Error(`${reason} CI=true requires it: .ci/run installs it.`);
  console.warn(`\n*** ${reason} ***\n`);
  return undefined;
}
