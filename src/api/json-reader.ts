/**
 * Shared by every fromJSON: parsing, key checks and shaped numeric arrays, all failing with a ModelFormatError
 * that names the field. Untrusted JSON never reaches an allocation sized by a number it claims.
 */
import { ModelFormatError, quote } from './errors.js';

export type Nested = number | Nested[];

const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

/** Reshapes a flat array into nested plain arrays of the given shape. */
export function nest(flat: ArrayLike<number>, shape: number[]): Nested {
  const build = (depth: number, offset: number): Nested => {
    if (depth === shape.length) return flat[offset];
    const stride = shape.slice(depth + 1).reduce((a, b) => a * b, 1);
    const out: Nested[] = [];
    for (let i = 0; i < shape[depth]; i++) out.push(build(depth + 1, offset + i * stride));
    return out;
  };
  return build(0, 0);
}

/** A key as messages show it: in single quotes, cut at 100 characters. */
const keyName = (key: string): string =>
  key.length <= 100 ? `'${key}'` : `'${key.slice(0, 100)}…' (${key.length} characters)`;

export interface JsonReader {
  /** Throws ModelFormatError(`invalid <what>: message`). */
  bad(message: string): never;
  /** JSON text or an object → a plain object (not an array), else ModelFormatError. */
  object(input: unknown): Record<string, unknown>;
  /** Rejects prototype-polluting keys and keys not in `allowed`. */
  checkKeys(obj: Record<string, unknown>, allowed: readonly string[], where: string): void;
  /** A nested numeric array of exactly `shape` (finite numbers only) as a Float64Array. */
  array(v: unknown, shape: number[], field: string): Float64Array;
}

export function jsonReader(what: string): JsonReader {
  const bad = (message: string): never => {
    throw new ModelFormatError(`invalid ${what}: ${message}`);
  };
  return {
    bad,
    object(input) {
      let json = input;
      if (typeof json === 'string') {
        try {
          json = JSON.parse(json);
        } catch (e) {
          bad(`not valid JSON (${(e as Error).message})`);
        }
      }
      if (json === null || typeof json !== 'object' || Array.isArray(json)) bad('expected an object');
      return json as Record<string, unknown>;
    },
    checkKeys(obj, allowed, where) {
      for (const key of Object.keys(obj)) {
        if (FORBIDDEN.has(key)) bad(`${where} has the forbidden key ${keyName(key)}`);
        if (!allowed.includes(key)) bad(`${where} has the unknown key ${keyName(key)}`);
      }
    },
    array(v, shape, field) {
      // Collected into a buffer that grows as values arrive, so a claimed shape (nComponents: 1e300) never sizes an
      // allocation; the path of a bad element is built only for its message (building one per element made loading
      // a large model mostly garbage collection).
      let out = new Float64Array(64);
      let size = 0;
      const at: number[] = [];
      const path = (): string => at.map((i) => `[${i}]`).join('');
      const walk = (node: unknown, depth: number): void => {
        if (depth === shape.length) {
          if (typeof node !== 'number' || !Number.isFinite(node))
            bad(`${field}${path()} must be a finite number; got ${quote(node)}`);
          if (size === out.length) {
            const grown = new Float64Array(out.length * 2);
            grown.set(out);
            out = grown;
          }
          out[size++] = node as number;
          return;
        }
        if (!Array.isArray(node) || node.length !== shape[depth]) {
          bad(`${field}${path()} must be an array of length ${shape[depth]} (shape [${shape.join(', ')}])`);
        }
        // indexed, not forEach: forEach skips the holes of a sparse array, which must be rejected like any non-number
        const arr = node as unknown[];
        at.push(0);
        for (let i = 0; i < arr.length; i++) {
          at[depth] = i;
          walk(arr[i], depth + 1);
        }
        at.pop();
      };
      walk(v, 0);
      return out.slice(0, size);
    },
  };
}
