import type { Env } from "../env";
import type { GraphTarget } from "../meta/graph";

// A media header of a template being created (POST /v1/templates) may name a media id from
// POST /v1/media instead of a Resumable-Upload handle: Meta's template creation takes only a handle
// (`example.header_handle`), so the media is read back from Meta and uploaded through Meta's
// Resumable Upload API, whose handle goes into the template. Owned by the media work (issue 14).

export type HeaderHandleResult =
  | { ok: true; handle: string }
  /** the media id is unknown to Meta or expired: the integrator's mistake (400 naming the field) */
  | { ok: false; kind: "unknown_media"; message: string }
  /** Meta refused or could not be reached */
  | { ok: false; kind: "upstream"; message: string; status?: number };

export async function headerHandleForMedia(_env: Env, _target: GraphTarget, _metaMediaId: string): Promise<HeaderHandleResult> {
  return { ok: false, kind: "upstream", message: "media header handles are not implemented yet" };
}
