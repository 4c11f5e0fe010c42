/**
 * Initialisation's passes over the data (the moments, k-means++'s potentials and draws) are sums over fixed chunks of
 * rows, added in chunk order, so that any split of the chunks among workers gives exactly what one thread gives.
 */

/** Rows per chunk of the seeding sums (fixed, whatever the number of workers). */
export const SEED_CHUNK_ROWS = 65536;

export const seedChunkCount = (n: number): number => Math.ceil(n / SEED_CHUNK_ROWS);
