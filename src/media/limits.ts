// Meta's supported media: MIME types and the size cap of each kind. Source: Meta, "Supported media
// types" (developers.facebook.com/docs/whatsapp/cloud-api/reference/media#supported-media-types), as
// summarised in /work/shared/reference/meta-cloud-api.md §3 "Media types and sizes". Meta's "MB" is
// taken as MiB (the larger reading: a file Meta would take is never refused here). A sticker's cap is
// 100 KB static, 500 KB animated: an upload is not inspected, so the animated cap applies.

export const MEDIA_KINDS = ["image", "video", "audio", "document", "sticker"] as const;
export type MediaKind = (typeof MEDIA_KINDS)[number];

const KB = 1024;
const MB = 1024 * KB;

export const MEDIA_LIMITS: Record<MediaKind, { maxBytes: number; mimeTypes: readonly string[] }> = {
  image: { maxBytes: 5 * MB, mimeTypes: ["image/jpeg", "image/png"] },
  video: { maxBytes: 16 * MB, mimeTypes: ["video/mp4", "video/3gpp"] },
  audio: { maxBytes: 16 * MB, mimeTypes: ["audio/aac", "audio/amr", "audio/mpeg", "audio/mp4", "audio/ogg"] },
  document: {
    maxBytes: 100 * MB,
    mimeTypes: [
      "text/plain",
      "application/pdf",
      "application/msword",
      "application/vnd.ms-excel",
      "application/vnd.ms-powerpoint",
      "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
      "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ],
  },
  sticker: { maxBytes: 500 * KB, mimeTypes: ["image/webp"] },
};

/** The largest file Meta takes (documents): POST /v1/media's own body cap is this plus the form's framing. */
export const MAX_MEDIA_BYTES = MEDIA_LIMITS.document.maxBytes;

/** Every MIME type Meta accepts, for error details. */
export const ACCEPTED_MIME_TYPES: readonly string[] = MEDIA_KINDS.flatMap((k) => MEDIA_LIMITS[k].mimeTypes);

/** `audio/ogg; codecs=opus` → `audio/ogg`: the bare type, lower case. */
export function bareMime(mime: string): string {
  return mime.split(";")[0]!.trim().toLowerCase();
}

/** The kind Meta files a MIME type under, or null when Meta does not accept it. */
export function mediaKindOf(mime: string): MediaKind | null {
  const bare = bareMime(mime);
  return MEDIA_KINDS.find((k) => MEDIA_LIMITS[k].mimeTypes.includes(bare)) ?? null;
}

/** Human-readable size, for error messages: 5 MB, 500 KB. */
export function formatBytes(n: number): string {
  return n >= MB ? `${Math.round((n / MB) * 10) / 10} MB` : `${Math.round(n / KB)} KB`;
}
