// Non-convergence warnings are expected in many tests (tol: 0 runs exactly maxIter iterations); tests read them
// from gm.warnings instead, so keep them off stderr.
process.removeAllListeners('warning');
