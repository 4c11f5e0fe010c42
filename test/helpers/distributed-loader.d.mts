/** Types of distributed-loader.mjs (imported by the distributed tests). */
export function makeRows(o: { seed: number; n: number; d: number }): Float64Array;
export function slowRows(o: {
  seed: number;
  n: number;
  d: number;
  chunk?: number;
  delayMs?: number;
  weights?: boolean;
}): AsyncGenerator<
  | { data: Float64Array; rows: number; cols: number }
  | { X: { data: Float64Array; rows: number; cols: number }; sampleWeight: number[] }
>;
export function failing(o: { message: string }): never;
