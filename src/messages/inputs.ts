import type { Recipient } from "./recipient";

// What each send route asks for, as the domain takes it (the routes' Zod schemas validate requests
// into these shapes; the compiler checks they fit where the handlers hand them over).

/** sendAt: an ISO time up to 30 days ahead — the send is scheduled for then */
type Common = Recipient & { phoneNumberId?: string; sendAt?: string };

export type SendTextInput = Common & { body: string };

/** A template component in Meta's send shape (lower-case types), already validated element by element. */
export type TemplateComponent =
  | { type: "body"; parameters: Array<{ type: "text"; text: string } | { type: "currency"; currency: { fallback_value: string } } | { type: "date_time"; date_time: { fallback_value: string } }> }
  | { type: "header" | "button" | "carousel" | "limited_time_offer" | "order_status"; [k: string]: unknown };

export type SendTemplateInput = Common & {
  template: string;
  language: string;
  variables?: string[];
  components?: TemplateComponent[];
  flowAction?: "navigate" | "data_exchange";
};

export const MEDIA_TYPES = ["image", "video", "document", "audio", "sticker"] as const;

export type SendMediaInput = Common & { type: (typeof MEDIA_TYPES)[number]; mediaId?: string; link?: string; caption?: string; filename?: string };

export type SendInteractiveInput = Common & {
  kind: "buttons" | "list";
  body: string;
  headerText?: string;
  footer?: string;
  buttons?: Array<{ id: string; title: string }>;
  listSections?: Array<{ title: string; rows: Array<{ id: string; title: string; description?: string }> }>;
};

export type SendLocationInput = Common & { latitude: number; longitude: number; name?: string; address?: string };

/** A send as the WABA's object receives it: which route, and its validated body. */
export type SendContent =
  | { route: "text"; input: SendTextInput }
  | { route: "template"; input: SendTemplateInput }
  | { route: "media"; input: SendMediaInput }
  | { route: "interactive"; input: SendInteractiveInput }
  | { route: "location"; input: SendLocationInput };
