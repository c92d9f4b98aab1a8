import type { Context } from "hono";
import { grantsAccess } from "./first-use";
import { invalidToken, unknownObject, type GraphError } from "./graph-errors";
import { state, type Waba } from "./store";

export const GRAPH_VERSION = /^v\d+\.\d+$/;

/** `Authorization: Bearer <token>` (or Graph's older `OAuth <token>`), else `?access_token=`. */
export function accessToken(c: Context): string | undefined {
  const header = c.req.header("Authorization");
  const fromHeader = header ? /^(?:Bearer|OAuth)\s+(\S+)\s*$/i.exec(header.trim())?.[1] : undefined;
  return fromHeader ?? (c.req.query("access_token") || undefined);
}

/**
 * Graph's order: the token is checked before the object is looked up, so an unknown token is 190 even
 * for an unknown id. A known token of another WABA is 190 too (the emulator's simplification). In sandbox
 * mode a WABA also opens to its sandbox token.
 */
export function checkAccess(
  token: string | undefined,
  owner: Waba | undefined,
  objectId: string,
  method: "get" | "post",
  opts: { sandbox: boolean },
): GraphError | undefined {
  if (!token) return invalidToken("An access token is required to request this resource.");
  const known = [...state.wabas.values()].some((w) => grantsAccess(w, token, opts.sandbox));
  if (!known) return invalidToken("Invalid OAuth access token - Cannot parse access token");
  if (!owner) return unknownObject(objectId, method);
  if (!grantsAccess(owner, token, opts.sandbox)) return invalidToken(`Error validating access token: The token does not grant access to object ID '${objectId}'.`);
  return undefined;
}
