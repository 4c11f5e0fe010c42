/**
 * Shards are references, never rows: a CSV or .npy file path or URL that every worker can read, or a user loader
 * `{ loader: 'module-specifier#export', args }` — a function each worker imports and calls with `args` to get the
 * shard's rows (a database cursor, object storage). This module validates them (on the coordinator, before any job
 * exists) and names them in messages.
 */
import { OptionError, quote } from '../../api/errors.js';

/** A loader shard: `module#export` names a function (args) => (async) iterable of row chunks, like fitStream's source. */
export interface LoaderShard {
  loader: string;
  /** Handed to the loader; must survive JSON (it travels in the job). */
  args?: unknown;
}

/** A CSV or .npy path, an http(s) or file URL, or a loader. */
export type ShardRef = string | LoaderShard;

/** Largest JSON form of a loader's args: they travel in every job of the shard. */
const MAX_ARGS = 64 * 1024;

/** The shard's format, from its path or URL (a loader yields rows itself). */
export function shardFormat(ref: ShardRef): 'csv' | 'npy' | 'loader' {
  if (typeof ref !== 'string') return 'loader';
  const path = /^[a-z][a-z0-9+.-]*:\/\//i.test(ref) ? new URL(ref).pathname : ref;
  return /\.npy$/i.test(path) ? 'npy' : 'csv';
}

/** How messages name a shard. */
export function shardLabel(ref: ShardRef): string {
  return typeof ref === 'string' ? ref : `loader ${ref.loader}`;
}

/** Splits 'module#export' (export 'default' when there is no '#'). */
export function loaderParts(spec: string): { module: string; name: string } {
  const at = spec.lastIndexOf('#');
  return at < 0 ? { module: spec, name: 'default' } : { module: spec.slice(0, at), name: spec.slice(at + 1) };
}

function checkOne(v: unknown, i: number): ShardRef {
  const name = `shards[${i}]`;
  if (typeof v === 'string') {
    if (v.trim() === '') throw new OptionError(name, `${name} must be a non-empty path or URL; got ""`);
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) {
      let url: URL;
      try {
        url = new URL(v);
      } catch {
        throw new OptionError(name, `${name} is not a valid URL: ${quote(v)}`);
      }
      if (!['http:', 'https:', 'file:'].includes(url.protocol)) {
        throw new OptionError(
          name,
          `${name} must be a file path or an http(s) or file URL; got the ${url.protocol} URL ${quote(v)}`,
        );
      }
    }
    return v;
  }
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
    const keys = Object.keys(v);
    const unknown = keys.filter((k) => k !== 'loader' && k !== 'args');
    if (unknown.length) {
      throw new OptionError(
        name,
        `${name} has unknown key ${quote(unknown[0])}; a loader shard is { loader: 'module#export', args }`,
      );
    }
    const spec = (v as LoaderShard).loader;
    if (typeof spec !== 'string' || spec.trim() === '') {
      throw new OptionError(
        `${name}.loader`,
        `${name}.loader must be a 'module-specifier#export' string; got ${quote(spec)}`,
      );
    }
    const { module, name: exp } = loaderParts(spec);
    if (module === '' || exp === '') {
      throw new OptionError(
        `${name}.loader`,
        `${name}.loader must be 'module-specifier#export' with both parts; got ${quote(spec)}`,
      );
    }
    const args = (v as LoaderShard).args;
    let json: string | undefined;
    try {
      json = args === undefined ? undefined : JSON.stringify(args);
    } catch (e) {
      throw new OptionError(
        `${name}.args`,
        `${name}.args must be JSON-serialisable (it travels in the jobs): ${(e as Error).message}`,
      );
    }
    if (json !== undefined && json.length > MAX_ARGS) {
      throw new OptionError(
        `${name}.args`,
        `${name}.args is ${json.length} characters as JSON; at most ${MAX_ARGS} (pass a reference, not data)`,
      );
    }
    return json === undefined ? { loader: spec } : { loader: spec, args: JSON.parse(json) };
  }
  throw new OptionError(name, `${name} must be a path, a URL or { loader: 'module#export', args }; got ${quote(v)}`);
}

/** Validates the shard list; returns private copies (a loader's args as their JSON round trip). */
export function checkShards(v: unknown): ShardRef[] {
  if (!Array.isArray(v) || v.length === 0) {
    throw new OptionError('shards', `shards must be a non-empty array of paths, URLs or loaders; got ${quote(v)}`);
  }
  return v.map(checkOne);
}
