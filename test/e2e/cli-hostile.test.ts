/**
 * The CLI against hostile or careless use (issue 11): a huge `sample -n` streams (bounded memory, output starts at
 * once), output paths are never created (no hang under /proc, a clear error for a missing directory), library errors
 * are reported in the CLI's terms (flags, file, line, column), and one number grammar (no hex, binary or octal) for
 * data and flags alike.
 */
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI, cliSandbox } from '../helpers/cli.js';

const faithful = fileURLToPath(new URL('../../data/faithful.csv', import.meta.url));
const sandbox = cliSandbox('gaussmix-cli-hostile-', { timeout: 60_000 });
const { run } = sandbox;

beforeAll(() => {
  expect(run(['fit', faithful, '-k', '2', '--out', 'model.json']).code).toBe(0);
});

describe('gaussmix CLI under hostile use', () => {
  it('sample -n 20000000 streams: the first rows arrive at once, memory stays small, and it can be stopped', async () => {
    const child = spawn(process.execPath, [CLI, 'sample', 'model.json', '-n', '20000000'], { cwd: sandbox.dir });
    let bytes = 0;
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (b: Buffer) => {
        bytes += b.length;
        if (bytes > 4_000_000) resolve(); // ~100 000 rows out: it streams (building all rows first would take minutes)
      });
    });
    const rss =
      Number(spawnSync('ps', ['-o', 'rss=', '-p', String(child.pid)], { encoding: 'utf8' }).stdout.trim()) * 1024;
    child.kill();
    expect(rss).toBeLessThan(300e6);
  });

  it('never creates output directories: a missing one is an error, and /proc does not hang it', () => {
    const missing = run(['fit', faithful, '-k', '2', '--out', 'no/such/dir/m.json']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(
      /cannot write the model to 'no\/such\/dir\/m\.json': the directory '.*no\/such\/dir' does not exist/,
    );
    const proc = run(['fit', faithful, '-k', '2', '--out', '/proc/nope/model.json']);
    expect(proc.code).toBe(1);
    expect(proc.stderr).toMatch(/does not exist/);
  });

  it('reports library errors in its own terms: flags, file, line and column', () => {
    writeFileSync(join(sandbox.dir, 'const.csv'), 'a,b\n1,5\n2,5\n3,5\n4,5\n');
    const r = run(['fit', 'const.csv', '-k', '1', '--reg-covar', '0']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/const\.csv: .*column 'b' has \(numerically\) zero variance/);
    expect(r.stderr).toMatch(/Increase --reg-covar/);
    expect(r.stderr).toMatch(/--on-degenerate reset/);
    expect(r.stderr).not.toMatch(/\bregCovar\b|\bonDegenerate\b|feature 1/);
    writeFileSync(join(sandbox.dir, 'spread.csv'), 'a,b\n1,1e300\n2,-1e300\n3,5\n');
    const s = run(['fit', 'spread.csv', '-k', '1']);
    expect(s.code).toBe(1);
    expect(s.stderr).toMatch(/spread\.csv.*too spread out.*column 'b'/);
    writeFileSync(join(sandbox.dir, 'w.csv'), 'a,w\n1,1\n2,-1\n3,1\n');
    const w = run(['fit', 'w.csv', '-k', '1', '--weights', 'w']);
    expect(w.code).toBe(1);
    expect(w.stderr).toMatch(/w\.csv.*line 3/);
    const conv = run(['fit', faithful, '-k', '3', '--max-iter', '1']);
    expect(conv.code).toBe(0);
    expect(conv.stderr).toMatch(/Increase --max-iter or --tol/);
  });

  it('one number grammar: hex, binary and octal are not numbers, in data or in flags', () => {
    writeFileSync(join(sandbox.dir, 'hex.csv'), 'a,b\n1,2\n0x10,3\n');
    const r = run(['fit', 'hex.csv', '-k', '1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/hex\.csv: line 3, column 'a': '0x10' is not a number/);
    for (const v of ['0x10', '0b11', '0o7']) expect(run(['fit', faithful, '-k', '1', '--tol', v]).code, v).toBe(2);
  });
});
