/**
 * Where the library's warnings go (the `onWarning` option). A fit's warnings are always kept in `gmm.warnings`;
 * this decides whether they are also emitted (process.emitWarning in Node, console.warn elsewhere): by default once
 * per distinct message per process, as Python's warnings filter does, so a server that fits in a loop logs a
 * recurring problem once instead of once per fit.
 */
import { warn } from './errors.js';

/** A warning as `onWarning` callbacks receive it. */
export interface GaussianMixtureWarning {
  message: string;
  /** 'GMM_NOT_CONVERGED' or 'GMM_COMPONENT_RESET'. */
  code: string;
}

/**
 * 'once' (default): emit each distinct message once per process; 'always': emit every time; 'ignore': never emit
 * (still in `gmm.warnings`); a function: hand each warning to it instead of emitting (e.g. to a logger).
 */
export type WarningPolicy = 'once' | 'always' | 'ignore' | ((warning: GaussianMixtureWarning) => void);

export const WARNING_POLICIES = ['once', 'always', 'ignore'] as const;

/**
 * Messages already emitted under 'once'. Bounded: messages that carry numbers (which components were reset, at which
 * iteration) can be distinct without end in a long-running process, so past the bound the registry starts over and
 * a message may be emitted once more — a repeat now and then instead of memory that only grows.
 */
const emitted = new Set<string>();
const REGISTRY_LIMIT = 4096;

export function emitWarning(policy: WarningPolicy, message: string, code: string): void {
  if (typeof policy === 'function') {
    policy({ message, code });
    return;
  }
  if (policy === 'ignore') return;
  if (policy === 'once') {
    if (emitted.has(message)) return;
    if (emitted.size >= REGISTRY_LIMIT) emitted.clear();
    emitted.add(message);
  }
  warn(message, code);
}
