// A streaming reader of multipart/form-data (RFC 7578, framing of RFC 2046 §5.1.1): small fields are
// read as text, a file part is handed on as a stream that ends at the next delimiter. Only a delimiter's
// length of bytes is ever held back, so a file of any size passes through in the chunks it came in.

const enc = new TextEncoder();
const dec = new TextDecoder();

export type PartHeaders = { name: string; filename?: string; contentType?: string };

export class MultipartError extends Error {}

/** The boundary of a multipart/form-data Content-Type, or null if it is not one. */
export function formBoundary(contentType: string | undefined): string | null {
  if (!contentType || !/^\s*multipart\/form-data\s*(;|$)/i.test(contentType)) return null;
  const m = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))/i.exec(contentType);
  return m ? (m[1] ?? m[2]!) : null;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.byteLength === 0) return b;
  const out = new Uint8Array(a.byteLength + b.byteLength);
  out.set(a, 0);
  out.set(b, a.byteLength);
  return out;
}

function indexOf(hay: Uint8Array, needle: Uint8Array, from = 0): number {
  const first = needle[0]!;
  for (let i = hay.indexOf(first, from); i !== -1 && i <= hay.byteLength - needle.byteLength; i = hay.indexOf(first, i + 1)) {
    let j = 1;
    while (j < needle.byteLength && hay[i + j] === needle[j]) j++;
    if (j === needle.byteLength) return i;
  }
  return -1;
}

export class MultipartReader {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #delimiter: Uint8Array;
  /** a CRLF in front, so the first delimiter (which has none) is found like the others */
  #buf: Uint8Array = enc.encode("\r\n");
  #eof = false;
  /** bytes taken from the source so far */
  consumed = 0;
  #inPart = false;

  constructor(body: ReadableStream<Uint8Array>, boundary: string) {
    this.#reader = body.getReader();
    this.#delimiter = enc.encode(`\r\n--${boundary}`);
  }

  async #fill(): Promise<boolean> {
    if (this.#eof) return false;
    const { done, value } = await this.#reader.read();
    if (done) {
      this.#eof = true;
      return false;
    }
    this.consumed += value.byteLength;
    this.#buf = concat(this.#buf, value);
    return true;
  }

  /** The next part's headers (the reader then stands at its body), or null after the closing delimiter. */
  async next(): Promise<PartHeaders | null> {
    if (this.#inPart) await this.#skipBody();
    let at: number;
    while ((at = indexOf(this.#buf, this.#delimiter)) === -1) {
      if (this.#buf.byteLength > 64 * 1024) this.#buf = this.#buf.slice(-this.#delimiter.byteLength); // preamble
      if (!(await this.#fill())) throw new MultipartError("the form ends without its closing boundary");
    }
    this.#buf = this.#buf.slice(at + this.#delimiter.byteLength);
    while (this.#buf.byteLength < 2) if (!(await this.#fill())) throw new MultipartError("the form ends inside a boundary");
    if (this.#buf[0] === 45 && this.#buf[1] === 45) return null; // "--": the closing delimiter
    let end: number;
    while ((end = indexOf(this.#buf, enc.encode("\r\n\r\n"))) === -1) {
      if (this.#buf.byteLength > 16 * 1024) throw new MultipartError("a part's headers are over 16 KB");
      if (!(await this.#fill())) throw new MultipartError("the form ends inside a part's headers");
    }
    const head = dec.decode(this.#buf.subarray(0, end));
    this.#buf = this.#buf.slice(end + 4);
    this.#inPart = true;
    return parseHeaders(head);
  }

  /** The current part's body as a stream; it ends at the next delimiter (errors if the form is cut short). */
  body(): ReadableStream<Uint8Array> {
    const keep = this.#delimiter.byteLength - 1;
    return new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        for (;;) {
          const at = indexOf(this.#buf, this.#delimiter);
          if (at !== -1) {
            if (at > 0) controller.enqueue(this.#buf.slice(0, at));
            this.#buf = this.#buf.slice(at);
            this.#inPart = false;
            controller.close();
            return;
          }
          // everything but what could be the start of the delimiter can go
          const safe = this.#buf.byteLength - keep;
          if (safe > 0) {
            controller.enqueue(this.#buf.slice(0, safe));
            this.#buf = this.#buf.slice(safe);
            if (!(await this.#fill())) return controller.error(new MultipartError("the form ends inside a part"));
            return;
          }
          if (!(await this.#fill())) return controller.error(new MultipartError("the form ends inside a part"));
        }
      },
      cancel: () => {
        this.#inPart = true;
      },
    });
  }

  /** The current part's body as text, at most `max` bytes. */
  async text(max: number): Promise<string> {
    const reader = this.body().getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > max) throw new MultipartError(`a form field is over ${max} bytes`);
      chunks.push(value);
    }
    return dec.decode(chunks.reduce(concat, new Uint8Array(0)));
  }

  async #skipBody(): Promise<void> {
    const reader = this.body().getReader();
    while (!(await reader.read()).done);
  }

  /**
   * Reads what is left of the request, up to `maxTotal` bytes of it in all, so the answer (a refusal)
   * goes out after the body was taken: answering while the client was still sending made `wrangler
   * dev`'s runtime restart (the next request got 503 "Your worker restarted mid-request"; found by the
   * README's 415 example), whether the body was cancelled or left unread. Past `maxTotal` (a chunked
   * body with no Content-Length) it is left unread.
   */
  async release(maxTotal: number): Promise<void> {
    try {
      while (this.consumed <= maxTotal) {
        const { done, value } = await this.#reader.read();
        if (done) return;
        this.consumed += value.byteLength;
      }
      this.#reader.releaseLock();
    } catch {
      // the stream is being torn down anyway
    }
  }
}

function parseHeaders(head: string): PartHeaders {
  const headers = new Map<string, string>();
  for (const line of head.split("\r\n")) {
    const i = line.indexOf(":");
    if (i > 0) headers.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim());
  }
  const disposition = headers.get("content-disposition") ?? "";
  if (!/^form-data\b/i.test(disposition)) throw new MultipartError("a part has no Content-Disposition: form-data");
  const param = (key: string) => {
    const m = new RegExp(`;\\s*${key}=(?:"((?:[^"\\\\]|\\\\.)*)"|([^;\\s]+))`, "i").exec(disposition);
    return m ? (m[1] ?? m[2]!).replace(/\\(.)/g, "$1") : undefined;
  };
  const name = param("name");
  if (name === undefined) throw new MultipartError("a part has no name");
  const filename = param("filename");
  const contentType = headers.get("content-type");
  return { name, ...(filename !== undefined ? { filename } : {}), ...(contentType ? { contentType } : {}) };
}
