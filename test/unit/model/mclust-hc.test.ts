/**
 * A reference implementation (test/helpers/hc-reference.ts) of mclust 6.0's model-based hierarchical clustering as
 * described in docs/mclust-notes.md ("hc"), checked against the merge sequences and hclass() labels recorded in
 * test/fixtures/mclust-models.json. It exists to prove the description (criterion, α, tie-breaking, slot
 * bookkeeping, the "SVD" transformation, hclass); the library's src/init/hc.ts is tested in test/unit/init/hc.test.ts.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hc, svdTransform } from '../../helpers/hc-reference.js';

interface HcCase {
  name: string;
  rows: number;
  modelName: 'VVV' | 'EII';
  use: 'SVD' | 'VARS';
  initialPartitionIsIdentity: boolean;
  alpha?: number;
  merges: number[][];
  hclass: Record<string, number[]>;
  data?: number[][];
}
const root = new URL('../../../', import.meta.url);
const fixture: { hc: HcCase[] } = JSON.parse(readFileSync(new URL('test/fixtures/mclust-models.json', root), 'utf8'));

function readCsv(name: string): number[][] {
  const lines = readFileSync(new URL(`data/${name}.csv`, root), 'utf8')
    .trim()
    .split(/\r?\n/);
  const keep = lines[0].split(',').map((h) => h.replace(/"/g, '').trim() !== 'species');
  return lines.slice(1).map((l) =>
    l
      .split(',')
      .filter((_, j) => keep[j])
      .map(Number),
  );
}

/** hclass(): replay the first n − G merges (the higher name joins the lower), then number the groups 0, 1, … by first appearance. */
function hclass(merges: number[][], n: number, G: number): number[] {
  const cl = Array.from({ length: n }, (_, i) => i);
  for (let m = 0; m < n - G; m++) {
    const [i, j] = merges[m];
    for (let r = 0; r < n; r++) if (cl[r] === j) cl[r] = i;
  }
  const seen = new Map<number, number>();
  return cl.map((c) => {
    if (!seen.has(c)) seen.set(c, seen.size);
    return seen.get(c)!;
  });
}

describe.each(fixture.hc.map((h) => [`${h.name}[${h.rows}] ${h.modelName}/${h.use}`, h] as const))('hc %s', (_l, h) => {
  const X = readCsv(h.name).slice(0, h.rows);

  it('starts from singletons (hc() never passes its dupPartition default on)', () => {
    expect(h.initialPartitionIsIdentity).toBe(true);
  });

  if (h.data) {
    it('the SVD transformation reproduces the data mclust clustered (up to column signs)', () => {
      const Z = svdTransform(X);
      const p = Z[0].length;
      for (let c = 0; c < p; c++) {
        const sign = Math.sign(Z[0][c]) === Math.sign(h.data![0][c]) ? 1 : -1;
        for (let i = 0; i < X.length; i++) expect(sign * Z[i][c]).toBeCloseTo(h.data![i][c], 10);
      }
    });
  }

  it('merge sequence and hclass labels equal mclust', () => {
    const Z = h.use === 'SVD' ? svdTransform(X) : X;
    const merges = hc(Z, h.modelName);
    expect(merges).toEqual(h.merges);
    for (const G of ['2', '3', '4']) expect(hclass(merges, X.length, Number(G))).toEqual(h.hclass[G]);
  });
});
