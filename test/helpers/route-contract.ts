import { ERROR_STATUS, type ErrorCode } from "../../src/errors";

// What a createRoute definition documents, read from the definition itself so a test and the contract
// never drift apart. errorResponses() (src/errors.ts) writes each error status's description as one
// line per code: "`CODE`: what it means".

export type RouteDefinition = {
  method: string;
  path: string;
  responses: Record<string, { description?: string }>;
};

const CODE_LINE = /^`([A-Z0-9_]+)`:/gm;

/** Every error code the route documents, with the status it is documented under. */
export function documentedErrors(route: RouteDefinition): Map<ErrorCode, number> {
  const out = new Map<ErrorCode, number>();
  for (const [statusText, response] of Object.entries(route.responses)) {
    const status = Number(statusText);
    if (status < 400) continue;
    for (const match of (response.description ?? "").matchAll(CODE_LINE)) {
      const code = match[1] as ErrorCode;
      if (!(code in ERROR_STATUS)) throw new Error(`${route.method} ${route.path} documents ${code}, which is not an error code`);
      out.set(code, status);
    }
  }
  return out;
}
