// Hashing a stream as it passes (no copy of the whole file is ever held): workerd's crypto.DigestStream
// (Cloudflare Workers docs, "Web Crypto" → DigestStream), fed from a TransformStream that also counts.

export type Measured = { stream: ReadableStream<Uint8Array>; result: Promise<{ bytes: number; sha256Hex: string }> };

/** Passes `source` through, counting its bytes and hashing them; `result` settles once it has all been read. */
export function measure(source: ReadableStream<Uint8Array>): Measured {
  const digest = new crypto.DigestStream("SHA-256");
  const digestWriter = digest.getWriter();
  let bytes = 0;
  let settle!: (v: { bytes: number; sha256Hex: string }) => void;
  // settles when the stream has been read to its end (a consumer that failed first never awaits it)
  const result = new Promise<{ bytes: number; sha256Hex: string }>((res) => (settle = res));
  const counter = new TransformStream<Uint8Array, Uint8Array>({
    async transform(chunk, controller) {
      bytes += chunk.byteLength;
      await digestWriter.write(chunk);
      controller.enqueue(chunk);
    },
    async flush() {
      await digestWriter.close();
      settle({ bytes, sha256Hex: hex(new Uint8Array(await digest.digest)) });
    },
  });
  return { stream: source.pipeThrough(counter), result };
}

export function hex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Meta's sha256 is hex in some answers and base64 in others: does it name these bytes' digest? */
export function sameSha256(meta: string, ourHex: string): boolean {
  const m = meta.trim();
  if (/^[0-9a-f]{64}$/i.test(m)) return m.toLowerCase() === ourHex;
  try {
    const raw = atob(m.replace(/-/g, "+").replace(/_/g, "/"));
    return raw.length === 32 && hex(Uint8Array.from(raw, (c) => c.charCodeAt(0))) === ourHex;
  } catch {
    return false;
  }
}
