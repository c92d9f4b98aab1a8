// One small structured logger: a JSON line per record, so Workers Logs can filter on every field.

type Fields = Record<string, unknown>;

function write(level: "debug" | "info" | "warn" | "error", msg: string, fields: Fields = {}) {
  const line = JSON.stringify({ level, msg, ...fields });
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else console.log(line);
}

export const log = {
  info: (msg: string, fields?: Fields) => write("info", msg, fields),
  warn: (msg: string, fields?: Fields) => write("warn", msg, fields),
  error: (msg: string, fields?: Fields) => write("error", msg, fields),
};

/** An error's message and stack, for a log record. */
export const errorFields = (err: unknown): Fields => ({ error: String(err), ...(err instanceof Error && err.stack ? { stack: err.stack } : {}) });
