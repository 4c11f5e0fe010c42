/**
 * Giving memory back after a large fit: the kernels' heap and the idle worker threads (each with a heap of its own).
 */
import { releaseKernelHeap } from '../backends/index.js';
import { terminateIdleWorkers } from '../drivers/workers/pool.js';

/**
 * Returns the memory a large fit left behind: this thread's WebAssembly heap (which otherwise never shrinks) is
 * replaced by a fresh one, and idle worker threads are ended (`terminateIdleWorkers`). Fits in progress keep what
 * they use and are unaffected; the next fit grows a heap again as it needs. Resolves when done.
 */
export async function releaseMemory(): Promise<void> {
  await Promise.all([releaseKernelHeap(), terminateIdleWorkers()]);
}
