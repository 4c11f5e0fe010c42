/** Errors and statistics across the thread boundary (used on both sides). */
import { DegenerateError } from '../../model/degeneracy.js';
import {
  BackendError,
  DataError,
  FitError,
  GaussianMixtureError,
  ModelFormatError,
  OptionError,
} from '../../api/errors.js';
import type { ErrorPayload } from './messages.js';

export function errorToPayload(e: unknown): ErrorPayload {
  if (!(e instanceof Error)) return { kind: 'Error', name: 'Error', message: String(e) };
  const props: Record<string, string | number | boolean | null> = {};
  for (const [key, v] of Object.entries(e)) {
    if (
      key !== 'name' &&
      key !== 'message' &&
      key !== 'stack' &&
      (v === null || ['string', 'number', 'boolean'].includes(typeof v))
    ) {
      props[key] = v as string | number | boolean | null;
    }
  }
  const base = { name: e.name, message: e.message, stack: e.stack, props };
  // instanceof, not e.name: class names may be mangled by bundlers
  if (e instanceof OptionError) return { ...base, kind: 'OptionError', option: e.option };
  if (e instanceof DataError) return { ...base, kind: 'DataError', row: e.row, column: e.column };
  if (e instanceof DegenerateError) return { ...base, kind: 'DegenerateError' };
  if (e instanceof FitError) return { ...base, kind: 'FitError' };
  if (e instanceof BackendError) return { ...base, kind: 'BackendError' };
  if (e instanceof ModelFormatError) return { ...base, kind: 'ModelFormatError' };
  if (e instanceof GaussianMixtureError) return { ...base, kind: 'GaussianMixtureError' };
  return { ...base, kind: 'Error' };
}

/** Rebuilds the typed error a worker threw, so callers can `instanceof` it as if fit had thrown it. */
export function payloadToError(p: ErrorPayload): Error {
  let e: Error;
  switch (p.kind) {
    case 'OptionError':
      e = new OptionError(p.option ?? 'options', p.message);
      break;
    case 'DataError':
      e = new DataError(p.message, p.row, p.column);
      break;
    case 'DegenerateError': {
      const q = p.props ?? {};
      e = new DegenerateError(
        p.message,
        Number(q.component),
        Number(q.iteration),
        q.reason as 'vanished' | 'not-pd',
        Number(q.init),
      );
      break;
    }
    case 'FitError':
      e = new FitError(p.message);
      break;
    case 'BackendError':
      e = new BackendError(p.message);
      break;
    case 'ModelFormatError':
      e = new ModelFormatError(p.message);
      break;
    case 'GaussianMixtureError':
      e = new GaussianMixtureError(p.message);
      break;
    default:
      e = new Error(p.message);
      e.name = p.name;
  }
  // fields of subclasses the switch does not know (readonly in TS, plain data properties at runtime)
  const own = e as unknown as Record<string, unknown>;
  for (const [key, v] of Object.entries(p.props ?? {})) {
    if (own[key] === undefined)
      Object.defineProperty(e, key, { value: v, enumerable: true, configurable: true, writable: true });
  }
  if (p.stack)
    e.stack = `${e.name}: ${e.message}\n    (thrown in a gaussmix worker)\n${p.stack.split('\n').slice(1).join('\n')}`;
  return e;
}
