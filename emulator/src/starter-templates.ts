// The templates a WABA starts with when it registers on first use (a sandbox token, AUTO_REGISTER) or
// through POST /__emulator/wabas with `starterTemplates: true`: Meta's own sample, which every new
// WhatsApp Business Account has, and one template with a body variable so integrators can try variables.
import { derivedTemplateId } from "./ids";
import type { Template } from "./store";

export type StarterTemplate = Omit<Template, "metaId">;

export const STARTER_TEMPLATES: readonly StarterTemplate[] = [
  {
    // Meta's sample, as real WABAs list it (GET /{waba-id}/message_templates); Meta's Get Started guide
    // sends it as the first message.
    name: "hello_world",
    language: "en_US",
    category: "UTILITY",
    status: "APPROVED",
    parameterFormat: "POSITIONAL",
    components: [
      { type: "HEADER", format: "TEXT", text: "Hello World" },
      {
        type: "BODY",
        text:
          "Welcome and congratulations!! This message demonstrates your ability to send a WhatsApp message notification " +
          "from the Cloud API, hosted by Meta. Thank you for taking the time to test with us.",
      },
      { type: "FOOTER", text: "WhatsApp Business Platform sample message" },
    ],
  },
  {
    name: "order_update",
    language: "en_US",
    category: "UTILITY",
    status: "APPROVED",
    parameterFormat: "POSITIONAL",
    components: [{ type: "BODY", text: "Your order {{1}} has shipped.", example: { body_text: [["4827"]] } }],
  },
];

/**
 * The starter set for one WABA. Template ids are derived from the WABA id, so a WABA registered again
 * after a restart (the sandbox keeps its state in memory) lists the same ids to the gateway's mirror.
 */
export function starterTemplates(wabaId: string): Template[] {
  return STARTER_TEMPLATES.map((t) => ({ ...structuredClone(t), metaId: derivedTemplateId(`${wabaId}:${t.name}:${t.language}`) }));
}
