/**
 * The built CLI (dist/cli.js; `npm test` builds first) run in a scratch directory, for the end-to-end CLI tests:
 * one sandbox per test file, made before the file's tests and removed after them.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';

export const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** NO_COLOR: messages compared as text, whatever the terminal the tests run in. */
const env = (): NodeJS.ProcessEnv => ({ ...process.env, NO_COLOR: '1' });

export class CliSandbox {
  /** The scratch directory (the CLI's working directory); set once the file's tests start. */
  dir = '';

  constructor(
    private readonly prefix: string,
    /** Milliseconds after which a blocking run is killed (undefined: never). */
    private readonly timeout?: number,
  ) {}

  open(): void {
    if (!existsSync(CLI)) throw new Error('dist/cli.js is missing: run `npm run build` first (npm test does)');
    this.dir = mkdtempSync(join(tmpdir(), this.prefix));
  }

  close(): void {
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }

  /** The path of `name` in the sandbox, written with `content` when given. */
  file = (name: string, content?: string): string => {
    const p = join(this.dir, name);
    if (content !== undefined) writeFileSync(p, content);
    return p;
  };

  run = (args: string[], input?: string): CliResult => {
    const r = spawnSync(process.execPath, [CLI, ...args], {
      cwd: this.dir,
      input,
      encoding: 'utf8',
      timeout: this.timeout,
      env: env(),
    });
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  };

  /** The same, without blocking: long lists of cases run their commands side by side. */
  runAsync = (args: string[], input = ''): Promise<CliResult> =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [CLI, ...args], { cwd: this.dir, env: env() });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      child.stdin.end(input);
      child.on('error', reject);
      child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    });
}

/**
 * This test file's sandbox: made in a beforeAll registered now, so before the file's own hooks declared after the
 * call (which may write files into it), and removed in afterAll.
 */
export function cliSandbox(prefix: string, options: { timeout?: number } = {}): CliSandbox {
  const sandbox = new CliSandbox(prefix, options.timeout);
  beforeAll(() => sandbox.open());
  afterAll(() => sandbox.close());
  return sandbox;
}
