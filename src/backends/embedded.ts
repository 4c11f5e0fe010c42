/**
 * The kernels' embedded form (scripts/embed-wasm.mjs): base64 of [the module's length, 4 bytes little-endian][its raw
 * DEFLATE stream], turned back into the module's bytes. The Node entry does it synchronously (fit works without
 * init()) with the library's own decoder; the browser entries, whose kernels arrive with the asynchronous init()
 * anyway, with the platform's DecompressionStream, and load the library's decoder (a chunk of its own) only where
 * that is missing — so the first download of a page does not carry it.
 */
function decodeBase64(b64: string): Uint8Array {
  const B = (globalThis as { Buffer?: { from(s: string, enc: string): Uint8Array } }).Buffer;
  if (B) {
    const buf = B.from(b64, 'base64');
    // copy into a plain, exactly-sized Uint8Array (Node's Buffer may be a view into a shared pool)
    return new Uint8Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  }
  if (typeof atob !== 'function') throw new Error('gaussmix: no base64 decoder (neither Buffer nor atob) available');
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** The embedded form, base64-decoded: the raw DEFLATE stream and the module's length. */
export function decodeEmbedded(b64: string): { deflated: Uint8Array; size: number } {
  const packed = decodeBase64(b64);
  const size = (packed[0] | (packed[1] << 8) | (packed[2] << 16) | (packed[3] << 24)) >>> 0;
  return { deflated: packed.subarray(4), size };
}

/** The module's bytes by DecompressionStream('deflate-raw') where the platform has it, else by the library's decoder. */
export async function unpackWasmAsync(b64: string): Promise<Uint8Array> {
  const { deflated, size } = decodeEmbedded(b64);
  if (typeof DecompressionStream === 'function') {
    try {
      const stream = new Blob([deflated as BlobPart]).stream().pipeThrough(new DecompressionStream('deflate-raw'));
      const out = new Uint8Array(await new Response(stream).arrayBuffer());
      if (out.length === size) return out;
    } catch {
      // 'deflate-raw' is newer than DecompressionStream itself (Safari < 16.4): the decoder below
    }
  }
  return (await import('./inflate.js')).inflateRaw(deflated, size);
}
