/**
 * A real, throw-away redis-server for tests and experiments: started on a free loopback port with no persistence
 * (`--save '' --appendonly no`, its own temporary --dir), ready once it answers on that port *as itself* (INFO's
 * process_id is the pid we spawned, so a stranger's server that grabbed the port never passes for ours), and
 * always killed at the end:
 *
 * - `server.stop()` (call it in afterAll / finally): SIGTERM, SIGKILL after a grace period, temp dir removed;
 * - if the test process exits without calling it (a failed test, an uncaught error, process.exit): an 'exit'
 *   hook SIGKILLs every server still running;
 * - if the test process is itself SIGKILLed (no hook runs): on Linux the server is started through
 *   `setpriv --pdeathsig KILL`, so the kernel kills it with its parent; elsewhere, a pid file is left in
 *   os.tmpdir()/gaussmix-test-redis and the next `startRedis` reaps servers whose owner is gone.
 *
 * Port races: the port comes from binding :0 and releasing it, so another process can take it before redis binds.
 * Redis then exits ("Address already in use") and we retry on a new port; if the other process is itself a redis
 * that answers PING, the process_id check rejects it and we retry as well.
 *
 * Plus `killHard(child)`: SIGKILL a child process (optionally its whole process group) and wait until it is gone.
 *
 * Needs nothing but Node built-ins (no Redis client), so it also serves the plain .mjs experiment scripts.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RedisServer {
  readonly host: string;
  readonly port: number;
  /** redis://127.0.0.1:PORT */
  readonly url: string;
  /** The redis-server's pid. */
  readonly pid: number;
  /** `{ host, port }`, ready to pass as ioredis / BullMQ `connection` options. */
  readonly connection: { host: string; port: number };
  /** Last lines of the server's own log (stdout + stderr), for error messages. */
  log(): string;
  /** SIGTERM, then SIGKILL after `graceMs` (default 2000); resolves once the process is gone. Idempotent. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL at once (simulates Redis dying under a client); resolves once the process is gone. Idempotent. */
  kill(): Promise<void>;
}

export interface StartRedisOptions {
  /** redis-server binary (default: $REDIS_SERVER, else /usr/bin/redis-server if present, else `redis-server` on PATH). */
  bin?: string;
  /** Give up if the server does not answer as itself within this many ms (default 20000). */
  timeoutMs?: number;
  /** Fresh ports to try when the chosen one is taken (default 5). */
  portAttempts?: number;
  /** Extra redis-server arguments, e.g. ['--maxmemory', '64mb']. */
  args?: string[];
  /** Port to try first (default: a free one); when taken, the next attempts use free ones. */
  port?: number;
}

const HOST = '127.0.0.1';
const PID_DIR = join(tmpdir(), 'gaussmix-test-redis');
const LOG_LINES = 40;

/** Servers of this process still running, with their synchronous clean-up (temp dir, pid file). */
const running = new Map<ChildProcess, () => void>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' handlers must be synchronous: process.kill is. Covers failed tests, uncaught errors and process.exit.
  process.on('exit', () => {
    for (const [child, cleanup] of running) {
      try {
        if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
      cleanup();
    }
  });
}

/** A port that was free a moment ago on 127.0.0.1 (bind :0, read it, release it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, HOST, () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function resolveBin(bin?: string): string {
  if (bin) return bin;
  if (process.env.REDIS_SERVER) return process.env.REDIS_SERVER;
  return existsSync('/usr/bin/redis-server') ? '/usr/bin/redis-server' : 'redis-server';
}

let setprivOk: boolean | undefined;
/** Whether `setpriv --pdeathsig` works here (Linux util-linux); checked once. */
export function hasSetpriv(): boolean {
  if (setprivOk === undefined) {
    setprivOk =
      process.platform === 'linux' &&
      spawnSync('setpriv', ['--pdeathsig', 'KILL', 'true'], { stdio: 'ignore' }).status === 0;
  }
  return setprivOk;
}

/** Field 22 of /proc/PID/stat (start time in clock ticks): tells a reused pid from the process we recorded. */
function procStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Kills redis servers recorded by earlier runs whose owning process is gone (only where the pid still belongs to
 * the very process recorded: same /proc start time and a redis-server command line). Best effort, never throws.
 */
function reapLeftovers(): void {
  let files: string[];
  try {
    files = readdirSync(PID_DIR);
  } catch {
    return;
  }
  for (const f of files) {
    const path = join(PID_DIR, f);
    try {
      const rec = JSON.parse(readFileSync(path, 'utf8')) as {
        pid: number;
        owner: number;
        start: string | null;
        dir: string;
      };
      if (alive(rec.owner) && rec.owner !== process.pid) continue; // someone else's live test run
      if (rec.owner === process.pid && [...running.keys()].some((c) => c.pid === rec.pid)) continue;
      if (alive(rec.pid)) {
        const cmd = existsSync(`/proc/${rec.pid}/cmdline`) ? readFileSync(`/proc/${rec.pid}/cmdline`, 'utf8') : '';
        const same = rec.start !== null && procStartTime(rec.pid) === rec.start && cmd.includes('redis-server');
        if (same) process.kill(rec.pid, 'SIGKILL');
      }
      if (rec.dir.startsWith(join(tmpdir(), 'gaussmix-redis-'))) rmSync(rec.dir, { recursive: true, force: true });
      unlinkSync(path);
    } catch {
      // unreadable or racing with another reaper: leave it
    }
  }
}

/** One inline command over a fresh socket; resolves with the raw reply, rejects on error or after `ms`. */
function rawCommand(port: number, command: string, ms: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host: HOST, port });
    let buf = '';
    const done = (err: Error | null) => {
      clearTimeout(timer);
      sock.destroy();
      if (err) reject(err);
      else resolve(buf);
    };
    const timer = setTimeout(() => done(new Error(`no reply within ${ms} ms`)), ms);
    sock.setEncoding('utf8');
    sock.once('error', (e) => done(e));
    sock.once('connect', () => sock.write(`${command}\r\n`));
    sock.on('data', (d: string) => {
      buf += d;
      // INFO answers with a bulk string ($len\r\n...\r\n); PING with +PONG; errors with -ERR / -LOADING
      if (buf.startsWith('+') || buf.startsWith('-')) {
        if (buf.includes('\r\n')) done(null);
      } else if (buf.startsWith('$')) {
        const eol = buf.indexOf('\r\n');
        if (eol > 0 && Buffer.byteLength(buf) >= eol + 2 + Number(buf.slice(1, eol)) + 2) done(null);
      }
    });
  });
}

/** PING the server on `port` once (true when it answers +PONG within `ms`). */
export async function ping(port: number, ms = 1000): Promise<boolean> {
  try {
    return (await rawCommand(port, 'PING', ms)).startsWith('+PONG');
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

class PortTaken extends Error {}

async function startOnce(bin: string, port: number, deadline: number, extra: string[]): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'gaussmix-redis-'));
  const redisArgs = [
    '--port',
    String(port),
    '--bind',
    HOST,
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
    '--daemonize',
    'no',
    '--logfile',
    '',
    '--protected-mode',
    'yes',
    ...extra,
  ];
  const pdeath = hasSetpriv();
  // setpriv exec()s redis-server, so the pid we get is redis' own (INFO's process_id confirms it below).
  const child = pdeath
    ? spawn('setpriv', ['--pdeathsig', 'KILL', bin, ...redisArgs], { stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(bin, redisArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const keep = (d: Buffer) => {
    lines.push(...d.toString('utf8').split('\n').filter(Boolean));
    if (lines.length > LOG_LINES) lines.splice(0, lines.length - LOG_LINES);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  // (set from event handlers: typed through a cast so TS does not narrow them to null for good)
  let exited = null as { code: number | null; signal: NodeJS.Signals | null } | null;
  let spawnError = null as Error | null;
  const exitPromise = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      running.delete(child);
      resolve();
    });
    child.once('error', (e) => {
      spawnError = e;
      exited ??= { code: null, signal: null };
      running.delete(child);
      resolve();
    });
  });
  // a late 'error' after exit must not become an uncaught exception
  child.on('error', () => {});
  const pidFile = child.pid !== undefined ? join(PID_DIR, `${child.pid}.json`) : null;
  if (pidFile) {
    try {
      mkdirSync(PID_DIR, { recursive: true });
      writeFileSync(
        pidFile,
        JSON.stringify({ pid: child.pid, owner: process.pid, start: procStartTime(child.pid!), dir }),
      );
    } catch {
      // best effort
    }
  }
  const cleanup = () => {
    rmSync(dir, { recursive: true, force: true });
    if (pidFile) rmSync(pidFile, { force: true });
  };
  if (!exited) running.set(child, cleanup);
  installExitHook();
  const log = () => lines.join('\n');

  const terminate = async (signal: NodeJS.Signals, graceMs: number) => {
    if (!exited) {
      try {
        child.kill(signal);
      } catch {
        // gone
      }
      const timer = graceMs > 0 ? setTimeout(() => !exited && child.kill('SIGKILL'), graceMs) : null;
      await exitPromise;
      if (timer) clearTimeout(timer);
    }
    cleanup();
  };

  // Ready when INFO on the port names our pid (a LOADING error or a refused connection means: not yet).
  for (let wait = 10; ; wait = Math.min(wait * 2, 200)) {
    if (exited) {
      cleanup();
      if (spawnError) throw new Error(`redis-server could not be started (${bin}): ${(spawnError as Error).message}`);
      const text = log();
      if (/Address already in use|bind: /i.test(text)) throw new PortTaken(text);
      throw new Error(`redis-server exited before answering (code ${exited.code}, signal ${exited.signal}):\n${text}`);
    }
    if (Date.now() > deadline) {
      await terminate('SIGKILL', 0);
      throw new Error(`redis-server on port ${port} did not answer within the time limit:\n${log()}`);
    }
    try {
      const info = await rawCommand(port, 'INFO server', 1000);
      const pid = /process_id:(\d+)/.exec(info)?.[1];
      if (pid !== undefined) {
        if (Number(pid) === child.pid) break;
        // someone else's redis answers on the port we picked: ours cannot bind it
        await terminate('SIGKILL', 0);
        throw new PortTaken(`port ${port} is served by another redis-server (pid ${pid})`);
      }
    } catch (e) {
      if (e instanceof PortTaken) throw e;
    }
    await sleep(wait);
  }

  return {
    host: HOST,
    port,
    url: `redis://${HOST}:${port}`,
    pid: child.pid!,
    connection: { host: HOST, port },
    log,
    stop: (graceMs = 2000) => terminate('SIGTERM', graceMs),
    kill: () => terminate('SIGKILL', 0),
  };
}

/** Starts a throw-away redis-server on a free loopback port and resolves once it answers PING as itself. */
export async function startRedis(opts: StartRedisOptions = {}): Promise<RedisServer> {
  const bin = resolveBin(opts.bin);
  const deadline = Date.now() + (opts.timeoutMs ?? 20_000);
  const attempts = opts.portAttempts ?? 5;
  reapLeftovers();
  let last: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      const port = i === 0 && opts.port !== undefined ? opts.port : await freePort();
      return await startOnce(bin, port, deadline, opts.args ?? []);
    } catch (e) {
      if (!(e instanceof PortTaken)) throw e;
      last = e;
    }
  }
  throw new Error(`redis-server: no free port after ${attempts} attempts; last: ${(last as Error).message}`);
}

/** Runs `fn` with a fresh server and always stops it afterwards (for scripts; tests use beforeAll/afterAll). */
export async function withRedis<T>(fn: (server: RedisServer) => Promise<T>, opts?: StartRedisOptions): Promise<T> {
  const server = await startRedis(opts);
  try {
    return await fn(server);
  } finally {
    await server.stop();
  }
}

export interface KillResult {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * SIGKILLs a child process and resolves once it has exited (at once if it already had). With `group: true` the
 * signal goes to its whole process group — spawn it with `detached: true` so it leads one — which also takes
 * down grandchildren such as BullMQ's sandbox processes. Rejects if the process is still there after `timeoutMs`.
 */
export function killHard(child: ChildProcess, opts: { group?: boolean; timeoutMs?: number } = {}): Promise<KillResult> {
  return new Promise((resolve, reject) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve({ code: child.exitCode, signal: child.signalCode });
      return;
    }
    const timer = setTimeout(
      () => reject(new Error(`pid ${child.pid} still running ${opts.timeoutMs ?? 5000} ms after SIGKILL`)),
      opts.timeoutMs ?? 5000,
    );
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    });
    try {
      if (opts.group && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      else child.kill('SIGKILL');
    } catch (e) {
      // ESRCH: it exited between the check and the kill; 'exit' will still fire
      if ((e as NodeJS.ErrnoException).code !== 'ESRCH') {
        clearTimeout(timer);
        reject(e as Error);
      }
    }
  });
}
