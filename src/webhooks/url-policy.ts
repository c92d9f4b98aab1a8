// Where integrator webhooks may point: public HTTPS only. Plain http is allowed only to loopback, and
// only where WEBHOOKS_ALLOW_LOOPBACK_HTTP is on (local dev). Private, link-local, CGNAT and other
// internal addresses, and internal host names, are refused.

const INTERNAL_NAMES = /(^|\.)(localhost|local|internal|intranet|lan|home|corp)$/i;

function ipv4(host: string): number[] | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (!m) return null;
  const parts = m.slice(1).map(Number);
  return parts.every((n) => n <= 255) ? parts : null;
}

function isLoopback(host: string): boolean {
  const v4 = ipv4(host);
  return host === "localhost" || host === "[::1]" || (v4 !== null && v4[0] === 127);
}

function isPrivateAddress(host: string): boolean {
  const v4 = ipv4(host);
  if (v4) {
    const [a, b] = v4 as [number, number, number, number];
    return a === 0 || a === 10 || a === 127 || (a === 100 && b >= 64 && b <= 127) || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 198 && (b === 18 || b === 19)) || a >= 224;
  }
  if (host.startsWith("[")) {
    const v6 = host.slice(1, -1).toLowerCase();
    return v6 === "::" || v6 === "::1" || /^f[cd]/.test(v6) || /^fe[89ab]/.test(v6) || v6.startsWith("::ffff:");
  }
  return false;
}

/** null when the URL is acceptable, else why not. */
export function webhookUrlProblem(raw: string, allowLoopbackHttp: boolean): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "must be an absolute URL";
  }
  if (url.username || url.password) return "must not contain credentials";
  const host = url.hostname.toLowerCase();
  if (url.protocol === "http:") {
    return allowLoopbackHttp && isLoopback(host) ? null : "must use https (http is allowed only to loopback in local development)";
  }
  if (url.protocol !== "https:") return "must use https";
  if (isPrivateAddress(host) || INTERNAL_NAMES.test(host) || !host.includes(".")) return "must be a public address: private, loopback, link-local and internal hosts are refused";
  return null;
}
