// @prometheus-io/lezer-promql 0.42 ships dist/index.d.ts but its package.json "exports" does not
// point at it, so TypeScript's NodeNext resolution cannot find it. This declares the one export
// Legible uses, with @lezer/lr's own type.
declare module '@prometheus-io/lezer-promql' {
  export const parser: import('@lezer/lr').LRParser;
}
