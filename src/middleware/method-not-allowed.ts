import type { Hono } from "hono";

/** Which methods the app serves on exactly this path (for 405 + Allow), computed from the registered routes. */
export function allowedMethods(app: Hono<any, any, any>, path: string): string[] {
  const methods = new Set<string>();
  for (const route of app.routes) {
    if (route.method === "ALL") continue;
    if (patternFor(route.path).test(path)) methods.add(route.method);
  }
  if (methods.has("GET")) methods.add("HEAD");
  return [...methods].sort();
}

export type Unmatched =
  | { kind: "method-not-allowed"; allow: string[] }
  /** `suggestion`: the path without its trailing slash(es), when a route serves that */
  | { kind: "not-found"; suggestion: string | null };

/**
 * What a request no route matched gets. Routes match strictly, so `/v1/key/` is not `/v1/key`: that is
 * a 404 naming the path without the slash, never a 405 (whose Allow would list the very method used).
 */
export function unmatchedRequest(app: Hono<any, any, any>, method: string, path: string): Unmatched {
  const allow = allowedMethods(app, path);
  // a path this app serves for this method that the router still did not match (an encoding quirk):
  // "use GET" in answer to a GET would be nonsense, so it is a plain 404
  if (allow.length > 0 && !allow.includes(method)) return { kind: "method-not-allowed", allow };
  const trimmed = path.replace(/\/+$/, "");
  const suggestion = trimmed !== path && trimmed !== "" && allowedMethods(app, trimmed).length > 0 ? trimmed : null;
  return { kind: "not-found", suggestion };
}

const patterns = new Map<string, RegExp>();
function patternFor(routePath: string): RegExp {
  let re = patterns.get(routePath);
  if (!re) {
    const source = routePath
      .split("/")
      .map((part) => (part.startsWith(":") ? "[^/]+" : part === "*" ? ".*" : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
      .join("/");
    re = new RegExp(`^${source}$`);
    patterns.set(routePath, re);
  }
  return re;
}
