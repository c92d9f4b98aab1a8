import type { Hono } from "hono";

/** Which methods the app serves on this path (for 405 + Allow), computed from the registered routes. */
export function allowedMethods(app: Hono<any, any, any>, path: string): string[] {
  const methods = new Set<string>();
  for (const route of app.routes) {
    if (route.method === "ALL") continue;
    if (patternFor(route.path).test(path)) methods.add(route.method);
  }
  if (methods.has("GET")) methods.add("HEAD");
  return [...methods].sort();
}

const patterns = new Map<string, RegExp>();
function patternFor(routePath: string): RegExp {
  let re = patterns.get(routePath);
  if (!re) {
    const source = routePath
      .split("/")
      .map((part) => (part.startsWith(":") ? "[^/]+" : part === "*" ? ".*" : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
      .join("/");
    re = new RegExp(`^${source}/?$`);
    patterns.set(routePath, re);
  }
  return re;
}
