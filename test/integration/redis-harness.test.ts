/**
 * The Redis test harness (test/helpers/redis.ts) that the distributed driver's tests will stand on: a server that
 * answers as itself, survives port races, and never outlives its test process — however that process ends.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { transform } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, killHard, ping, startRedis } from '../helpers/redis.js';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function gone(pid: number, ms = 5000): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 25))) {
    if (!alive(pid)) return true;
  }
  return !alive(pid);
}

describe('startRedis', () => {
  it('answers PING on a loopback port, without persistence, and stop() ends it', async () => {
    const s = await startRedis();
    expect(s.host).toBe('127.0.0.1');
    expect(await ping(s.port)).toBe(true);
    expect(s.connection).toEqual({ host: '127.0.0.1', port: s.port });
    await s.stop();
    await s.stop(); // idempotent
    expect(alive(s.pid)).toBe(false);
    expect(await ping(s.port, 200)).toBe(false);
  });

  it('retries on a fresh port when the first one is taken (by any listener, or by another redis)', async () => {
    const port = await freePort();
    const squatter: Server = createServer();
    await new Promise<void>((r) => squatter.listen(port, '127.0.0.1', r));
    const a = await startRedis({ port });
    expect(a.port).not.toBe(port);
    squatter.close();
    // a redis already on the port answers PING, but not as the process we spawned
    const b = await startRedis({ port: a.port });
    expect(b.port).not.toBe(a.port);
    expect(b.pid).not.toBe(a.pid);
    await Promise.all([a.stop(), b.stop()]);
  });

  it('starts several servers at once on distinct ports', async () => {
    const all = await Promise.all([startRedis(), startRedis(), startRedis()]);
    expect(new Set(all.map((s) => s.port)).size).toBe(3);
    await Promise.all(all.map((s) => s.stop()));
  });

  it('kill() takes the server down at once (a test of clients when Redis dies)', async () => {
    const s = await startRedis();
    await s.kill();
    expect(alive(s.pid)).toBe(false);
  });

  it('fails clearly when the binary does not exist', async () => {
    await expect(startRedis({ bin: '/nonexistent/redis-server' })).rejects.toThrow(
      /could not be started|exited before answering/,
    );
  });
});

describe('a server never outlives its owner', () => {
  let dir: string;
  let helper: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gaussmix-harness-'));
    const { code } = await transform(readFileSync(new URL('../helpers/redis.ts', import.meta.url), 'utf8'), {
      loader: 'ts',
      format: 'esm',
    });
    helper = join(dir, 'redis.mjs');
    writeFileSync(helper, code);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Runs a child that starts a server, prints its pid, then does `ending`; resolves with the redis pid. */
  async function owner(ending: string): Promise<{ pid: number; child: ReturnType<typeof spawn> }> {
    const script = join(dir, `owner-${Math.random().toString(36).slice(2)}.mjs`);
    writeFileSync(
      script,
      `import { startRedis } from ${JSON.stringify(helper)};\nconst s = await startRedis();\nconsole.log(s.pid);\n${ending}\n`,
    );
    // stderr piped and dropped: the 'uncaught error' case prints its stack there on purpose
    const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stderr!.resume();
    const pid = await new Promise<number>((resolve, reject) => {
      child.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
      child.once('exit', (code) => reject(new Error(`owner exited early (${code})`)));
    });
    return { pid, child };
  }

  it('when the owner exits without stop() (a failed test, process.exit)', async () => {
    const { pid } = await owner('process.exit(1);');
    expect(await gone(pid)).toBe(true);
  });

  it('when the owner throws an uncaught error', async () => {
    const { pid } = await owner("throw new Error('boom');");
    expect(await gone(pid)).toBe(true);
  });

  it.runIf(process.platform === 'linux')('when the owner is SIGKILLed (no exit hook runs)', async () => {
    const { pid, child } = await owner('setInterval(() => {}, 1000);');
    expect(alive(pid)).toBe(true);
    await killHard(child);
    expect(await gone(pid)).toBe(true);
  });
});

describe('killHard', () => {
  it('SIGKILLs a child and resolves on its exit; a second call resolves at once', async () => {
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    await new Promise((r) => child.once('spawn', r));
    expect(await killHard(child)).toEqual({ code: null, signal: 'SIGKILL' });
    expect(await killHard(child)).toEqual({ code: null, signal: 'SIGKILL' });
  });

  it('with group: true also takes down grandchildren', async () => {
    const child = spawn(
      process.execPath,
      [
        '-e',
        "const c = require('child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' }); console.log(c.pid); setInterval(() => {}, 1000);",
      ],
      { stdio: ['ignore', 'pipe', 'inherit'], detached: true },
    );
    const grandchild = await new Promise<number>((r) =>
      child.stdout!.once('data', (d: Buffer) => r(Number(d.toString().trim()))),
    );
    expect(alive(grandchild)).toBe(true);
    await killHard(child, { group: true });
    expect(await gone(grandchild)).toBe(true);
  });
});
