// The demo tenant that `npm run dev` seeds into local D1 and that the Cloud API emulator serves as
// "Meta's" side. Both read this one file so the two can never disagree. Local development only.

export type DemoTemplate = {
  metaId: string;
  name: string;
  language: string;
  category: "MARKETING" | "UTILITY" | "AUTHENTICATION";
  status: "APPROVED" | "PENDING" | "REJECTED" | "PAUSED" | "DISABLED";
  parameterFormat: "POSITIONAL" | "NAMED";
  components: Array<Record<string, unknown>>;
};

export type DemoWaba = {
  metaWabaId: string;
  name: string;
  accessToken: string;
  phoneNumbers: Array<{ metaPhoneNumberId: string; displayPhoneNumber: string; verifiedName: string }>;
  templates: DemoTemplate[];
};

const body = (text: string, example?: string[]) =>
  example ? { type: "BODY", text, example: { body_text: [example] } } : { type: "BODY", text };

export const demoWaba: DemoWaba = {
  metaWabaId: "102290129340398",
  name: "WBIZ Demo Store",
  accessToken: "EAAGdemoLocalOnlyAccessTokenForTheCloudApiEmulator0001",
  phoneNumbers: [
    { metaPhoneNumberId: "106540352242922", displayPhoneNumber: "+1 555-078-3881", verifiedName: "WBIZ Demo Store" },
    { metaPhoneNumberId: "107394529103847", displayPhoneNumber: "+91 80 4718 2200", verifiedName: "WBIZ Demo Store India" },
  ],
  templates: [
    {
      metaId: "1304694804498701", name: "order_shipped_v2", language: "en_US", category: "UTILITY", status: "APPROVED",
      parameterFormat: "POSITIONAL",
      components: [body("Hi {{1}}! Order #{{2}} ships {{3}}.", ["Aarav", "4827", "tomorrow"])],
    },
    {
      metaId: "1304694804498702", name: "order_shipped_v2", language: "hi_IN", category: "UTILITY", status: "APPROVED",
      parameterFormat: "POSITIONAL",
      components: [body("नमस्ते {{1}}! ऑर्डर #{{2}} {{3}} भेजा जाएगा।", ["Aarav", "4827", "kal"])],
    },
    {
      metaId: "1304694804498703", name: "spring_sale", language: "en_US", category: "MARKETING", status: "APPROVED",
      parameterFormat: "POSITIONAL",
      components: [
        { type: "HEADER", format: "TEXT", text: "Spring sale, {{1}}!", example: { header_text: ["Aarav"] } },
        body("Take {{1}} off everything until {{2}}.", ["20%", "Sunday"]),
        { type: "FOOTER", text: "Reply STOP to opt out" },
        { type: "BUTTONS", buttons: [{ type: "QUICK_REPLY", text: "Unsubscribe" }] },
      ],
    },
    {
      metaId: "1304694804498704", name: "login_code", language: "en_US", category: "AUTHENTICATION", status: "APPROVED",
      parameterFormat: "POSITIONAL",
      components: [
        body("{{1}} is your verification code.", ["482913"]),
        { type: "BUTTONS", buttons: [{ type: "OTP", otp_type: "COPY_CODE", text: "Copy code" }] },
      ],
    },
    {
      metaId: "1304694804498705", name: "payment_reminder", language: "en_US", category: "UTILITY", status: "PENDING",
      parameterFormat: "POSITIONAL",
      components: [body("Hi {{1}}, your payment of {{2}} is due on {{3}}.", ["Aarav", "₹1,499", "May 1"])],
    },
    {
      metaId: "1304694804498706", name: "flash_deal", language: "en_US", category: "MARKETING", status: "REJECTED",
      parameterFormat: "POSITIONAL",
      components: [body("FLASH DEAL!!! Click now {{1}}", ["https://x.example"])],
    },
    {
      metaId: "1304694804498707", name: "welcome_back", language: "en_US", category: "MARKETING", status: "PENDING",
      parameterFormat: "NAMED",
      components: [{ type: "BODY", text: "Welcome back, {{first_name}}!", example: { body_text_named_params: [{ param_name: "first_name", example: "Aarav" }] } }],
    },
    {
      metaId: "1304694804498708", name: "password_reset", language: "en_US", category: "AUTHENTICATION", status: "REJECTED",
      parameterFormat: "POSITIONAL",
      components: [body("Your reset code is {{1}}.", ["771204"])],
    },
    {
      metaId: "1304694804498709", name: "delivery_update", language: "en_US", category: "UTILITY", status: "PAUSED",
      parameterFormat: "POSITIONAL",
      components: [body("Your parcel {{1}} is out for delivery.", ["AWB123"])],
    },
    {
      metaId: "1304694804498710", name: "festive_offer", language: "en_US", category: "MARKETING", status: "DISABLED",
      parameterFormat: "POSITIONAL",
      components: [body("Festive offer: {{1}} off.", ["30%"])],
    },
  ],
};

/** A second, unrelated tenant: its ids must be invisible to every demo key of the first. */
export const otherWaba: DemoWaba = {
  metaWabaId: "102290129340777",
  name: "Globex Other Tenant",
  accessToken: "EAAGdemoLocalOnlyAccessTokenForTheOtherTenant000000002",
  phoneNumbers: [{ metaPhoneNumberId: "106540352247777", displayPhoneNumber: "+44 20 7946 0958", verifiedName: "Globex" }],
  templates: [
    {
      metaId: "1304694804499701", name: "order_shipped_v2", language: "en_GB", category: "UTILITY", status: "APPROVED",
      parameterFormat: "POSITIONAL",
      components: [body("Hello {{1}}, order {{2}} is on its way.", ["Ada", "991"])],
    },
  ],
};

export const demoWabas = [demoWaba, otherWaba];

/** Meta's app secret and webhook verify token in local dev (production sets real secrets). */
export const demoMetaApp = {
  appSecret: "demo-meta-app-secret-local-only",
  verifyToken: "demo-meta-verify-token-local-only",
};
