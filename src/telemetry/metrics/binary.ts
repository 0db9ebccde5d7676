import type { Labels } from '../model.js';
import { COMPARISON_OPS, type BinaryExpr, type BinaryOp, type VectorMatching } from './ast.js';
import { dropMetricName, formatLabels, labelsKey, METRIC_NAME } from './labels.js';
import { newSeries, PromQLEvalError, VectorBuilder, keyOf, type StepSeries } from './values.js';

/**
 * Binary operators with Prometheus 2.42's rules: arithmetic drops the metric name, comparisons
 * filter (or give 0/1 with `bool`), set operators keep the left side's series; vector matching
 * by signature (on / ignoring), one-to-one unless group_left/group_right say otherwise, with the
 * errors Prometheus gives when a side is not unique. Signatures and pairings are worked out once
 * per series; only presence is checked step by step.
 */

/** Go's math.Pow where it differs from JavaScript's: 1^y = 1 and (−1)^±Inf = 1. */
function pow(x: number, y: number): number {
  if (x === 1 || y === 0) return 1;
  if (x === -1 && !Number.isFinite(y) && !Number.isNaN(y)) return 1;
  return x ** y;
}

/** The operator on two values: [result, keep] (keep is false when a comparison fails). */
export function applyOp(op: BinaryOp, lhs: number, rhs: number): [number, boolean] {
  switch (op) {
    case '+': return [lhs + rhs, true];
    case '-': return [lhs - rhs, true];
    case '*': return [lhs * rhs, true];
    case '/': return [lhs / rhs, true];
    case '%': return [lhs % rhs, true];
    case '^': return [pow(lhs, rhs), true];
    case 'atan2': return [Math.atan2(lhs, rhs), true];
    case '==': return [lhs, lhs === rhs];
    case '!=': return [lhs, lhs !== rhs];
    case '>': return [lhs, lhs > rhs];
    case '<': return [lhs, lhs < rhs];
    case '>=': return [lhs, lhs >= rhs];
    case '<=': return [lhs, lhs <= rhs];
    default: throw new PromQLEvalError(`operator "${op}" not allowed between scalars`);
  }
}

/** Arithmetic drops the metric name; comparisons, set operators and (in 2.42) atan2 keep it. */
function dropsName(op: BinaryOp): boolean {
  return op === '+' || op === '-' || op === '*' || op === '/' || op === '%' || op === '^';
}

export function scalarScalar(expr: BinaryExpr, lhs: Float64Array, rhs: Float64Array): Float64Array {
  const out = new Float64Array(lhs.length);
  for (let s = 0; s < lhs.length; s++) {
    const [value, keep] = applyOp(expr.op, lhs[s]!, rhs[s]!);
    out[s] = expr.returnBool ? (keep ? 1 : 0) : value;
  }
  return out;
}

/** A vector and a scalar, either way round (`swap`: the scalar is on the left). */
export function vectorScalar(expr: BinaryExpr, vector: StepSeries[], scalar: Float64Array, swap: boolean, steps: number): StepSeries[] {
  const comparison = COMPARISON_OPS.has(expr.op);
  const builder = new VectorBuilder(steps);
  for (const series of vector) {
    const labels = dropsName(expr.op) || expr.returnBool ? dropMetricName(series.labels) : series.labels;
    const out = newSeries(labels, steps);
    for (let s = 0; s < steps; s++) {
      if (!series.present[s]) continue;
      const lv = swap ? scalar[s]! : series.values[s]!;
      const rv = swap ? series.values[s]! : scalar[s]!;
      let [value, keep] = applyOp(expr.op, lv, rv);
      // A comparison keeps the vector's own value, even when the vector is on the right.
      if (comparison && swap) value = rv;
      if (expr.returnBool) {
        value = keep ? 1 : 0;
        keep = true;
      }
      if (!keep) continue;
      out.present[s] = 1;
      out.values[s] = value;
    }
    builder.add(labels, out.values, out.present);
  }
  return builder.build();
}

function signature(labels: Labels, matching: VectorMatching): string {
  const picked: Labels = {};
  if (matching.on) {
    for (const name of matching.labels) if (labels[name] !== undefined) picked[name] = labels[name]!;
  } else {
    for (const name in labels) if (name !== METRIC_NAME && !matching.labels.includes(name)) picked[name] = labels[name]!;
  }
  return labelsKey(picked);
}

/** Interns signatures as small integers, so matching works on arrays. */
function signatureIds(lhs: StepSeries[], rhs: StepSeries[], matching: VectorMatching): [Int32Array, Int32Array, number] {
  const ids = new Map<string, number>();
  const idOf = (series: StepSeries) => {
    const sig = signature(series.labels, matching);
    let id = ids.get(sig);
    if (id === undefined) ids.set(sig, (id = ids.size));
    return id;
  };
  return [Int32Array.from(lhs, idOf), Int32Array.from(rhs, idOf), ids.size];
}

export function setOperation(op: 'and' | 'or' | 'unless', lhs: StepSeries[], rhs: StepSeries[], matching: VectorMatching, steps: number): StepSeries[] {
  const [lsig, rsig, count] = signatureIds(lhs, rhs, matching);
  const builder = new VectorBuilder(steps);
  const outputs = [...lhs, ...(op === 'or' ? rhs : [])].map((series) => newSeries(series.labels, steps));
  // Per signature: the step at which some series of that side was last seen present (+1).
  const rightSeen = new Int32Array(count);
  const leftSeen = new Int32Array(count);
  for (let s = 0; s < steps; s++) {
    let anyLeft = false;
    let anyRight = false;
    rhs.forEach((series, i) => {
      if (series.present[s]) {
        rightSeen[rsig[i]!] = s + 1;
        anyRight = true;
      }
    });
    lhs.forEach((series, i) => {
      if (series.present[s]) {
        leftSeen[lsig[i]!] = s + 1;
        anyLeft = true;
      }
    });
    lhs.forEach((series, i) => {
      if (!series.present[s]) return;
      const matched = rightSeen[lsig[i]!] === s + 1;
      const keep = op === 'and' ? anyRight && matched : op === 'unless' ? !anyRight || !matched : true;
      if (!keep) return;
      outputs[i]!.present[s] = 1;
      outputs[i]!.values[s] = series.values[s]!;
    });
    if (op === 'or') {
      rhs.forEach((series, i) => {
        if (!series.present[s] || (anyLeft && leftSeen[rsig[i]!] === s + 1)) return;
        const output = outputs[lhs.length + i]!;
        output.present[s] = 1;
        output.values[s] = series.values[s]!;
      });
    }
  }
  for (const output of outputs) builder.add(output.labels, output.values, output.present, keyOf(output));
  return builder.build();
}

function resultLabels(lhs: Labels, rhs: Labels, op: BinaryOp, matching: VectorMatching, returnBool: boolean): Labels {
  let labels: Labels = { ...lhs };
  if (dropsName(op)) delete labels[METRIC_NAME];
  if (matching.card === 'one-to-one') {
    if (matching.on) {
      const kept: Labels = {};
      for (const name of matching.labels) if (labels[name] !== undefined) kept[name] = labels[name]!;
      labels = kept;
    } else {
      for (const name of matching.labels) delete labels[name];
    }
  }
  for (const name of matching.include) {
    if (rhs[name] !== undefined && rhs[name] !== '') labels[name] = rhs[name]!;
    else delete labels[name];
  }
  if (returnBool) delete labels[METRIC_NAME];
  return labels;
}

function matchLabels(labels: Labels, matching: VectorMatching): string {
  const picked: Labels = {};
  for (const name in labels) {
    const listed = matching.labels.includes(name);
    if (matching.on ? listed : !listed && name !== METRIC_NAME) picked[name] = labels[name]!;
  }
  return formatLabels(picked);
}

/** Arithmetic and comparison between two vectors. */
export function vectorVector(expr: BinaryExpr, left: StepSeries[], right: StepSeries[], steps: number): StepSeries[] {
  const matching = expr.matching!;
  const oneToMany = matching.card === 'one-to-many';
  // The "many" side goes left, as Prometheus swaps them; values are swapped back below.
  const lhs = oneToMany ? right : left;
  const rhs = oneToMany ? left : right;
  const [lsig, rsig, count] = signatureIds(lhs, rhs, matching);
  const builder = new VectorBuilder(steps);
  const rightAt = new Int32Array(count).fill(-1);
  const rightStep = new Int32Array(count);
  const matchedStep = new Int32Array(count);
  // The output of each (lhs, rhs) pair, remembered per lhs series: a series usually meets the
  // same partner at every step. Result label sets are interned as numbers, so the many-to-one
  // uniqueness check needs no string per sample.
  const partner = new Int32Array(lhs.length).fill(-1);
  const partnerOutput: (StepSeries | undefined)[] = new Array(lhs.length);
  const partnerResult = new Int32Array(lhs.length);
  const resultIds = new Map<string, number>();
  const resultStep: number[] = [];
  const resultSig: number[] = [];
  const anyPresent = (side: StepSeries[], s: number) => {
    for (const series of side) if (series.present[s]) return true;
    return false;
  };
  for (let s = 0; s < steps; s++) {
    if (!anyPresent(lhs, s) || !anyPresent(rhs, s)) continue;
    for (let i = 0; i < rhs.length; i++) {
      const series = rhs[i]!;
      if (!series.present[s]) continue;
      const sig = rsig[i]!;
      if (rightStep[sig] === s + 1) {
        const other = rhs[rightAt[sig]!]!;
        throw new PromQLEvalError(
          `found duplicate series for the match group ${matchLabels(series.labels, matching)} on the ${oneToMany ? 'left' : 'right'} hand-side of the operation: ` +
            `[${formatLabels(series.labels)}, ${formatLabels(other.labels)}];many-to-many matching not allowed: matching labels must be unique on one side`,
        );
      }
      rightStep[sig] = s + 1;
      rightAt[sig] = i;
    }
    for (let li = 0; li < lhs.length; li++) {
      const series = lhs[li]!;
      if (!series.present[s]) continue;
      const sig = lsig[li]!;
      if (rightStep[sig] !== s + 1) continue;
      const ri = rightAt[sig]!;
      let vl = series.values[s]!;
      let vr = rhs[ri]!.values[s]!;
      if (oneToMany) [vl, vr] = [vr, vl];
      let [value, keep] = applyOp(expr.op, vl, vr);
      if (expr.returnBool) value = keep ? 1 : 0;
      else if (!keep) continue;
      if (partner[li] !== ri) {
        const labels = resultLabels(series.labels, rhs[ri]!.labels, expr.op, matching, expr.returnBool);
        const key = labelsKey(labels);
        let id = resultIds.get(key);
        if (id === undefined) {
          resultIds.set(key, (id = resultIds.size));
          resultStep.push(-1);
          resultSig.push(-1);
        }
        partner[li] = ri;
        partnerResult[li] = id;
        partnerOutput[li] = builder.series(labels, key);
      }
      if (matching.card === 'one-to-one') {
        if (matchedStep[sig] === s + 1) throw new PromQLEvalError('multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)');
        matchedStep[sig] = s + 1;
      } else {
        const id = partnerResult[li]!;
        if (resultStep[id] === s && resultSig[id] === sig) throw new PromQLEvalError('multiple matches for labels: grouping labels must ensure unique matches');
        resultStep[id] = s;
        resultSig[id] = sig;
      }
      builder.set(partnerOutput[li]!, s, value);
    }
  }
  return builder.build();
}
