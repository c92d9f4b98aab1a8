import { createRoute } from "@hono/zod-openapi";
import { AUTH_ERRORS, errorResponses, rateLimitHeaders } from "../../errors";
import { PathId } from "../../schemas/common";
import { withScope } from "../../schemas/operation";
import { authenticated } from "../router";
import { ContactPage, ContactSchema, CreateContactBody, ListContactsQuery, UpdateContactBody } from "./contacts.schemas";

const json = <T>(schema: T) => ({ "application/json": { schema } });

export const listContacts = createRoute({
  method: "get",
  path: "/v1/contacts",
  operationId: "listContacts",
  tags: ["Contacts"],
  summary: "List contacts",
  description: withScope("contacts:read", "Cursor-paginated contact list, oldest first, with optional search, tag and opt-in filters."),
  ...authenticated("contacts:read"),
  request: { query: ListContactsQuery },
  responses: {
    200: { description: "One page of contacts; nextCursor is null on the last page", headers: rateLimitHeaders, content: json(ContactPage) },
    ...errorResponses("VALIDATION_FAILED", ...AUTH_ERRORS),
  },
});

/** Says whether POST /v1/contacts created the contact (the status is 200 either way). */
export const CONTACT_CREATED_HEADER = "WBIZ-Contact-Created";

export const createContact = createRoute({
  method: "post",
  path: "/v1/contacts",
  operationId: "createContact",
  tags: ["Contacts"],
  summary: "Create a contact",
  description: withScope(
    "contacts:write",
    "Create a contact — or, on phone collision, return the existing contact (idempotent upsert by phone). " +
    "The phone is normalised to E.164 first, so +91 98123 45678 and +919812345678 are one contact. " +
    "An existing contact is returned unchanged: use PATCH /v1/contacts/{id} to update it. " +
    "Both cases answer 200 OK, as the v1 reference states; the `WBIZ-Contact-Created` header (`true` or `false`) tells them apart.",
  ),
  ...authenticated("contacts:write"),
  request: { body: { content: json(CreateContactBody), required: true } },
  responses: {
    200: {
      description: "The contact: created now, or the one that already had this phone (returned unchanged)",
      headers: {
        ...rateLimitHeaders,
        [CONTACT_CREATED_HEADER]: { description: "`true` when this request created the contact, `false` when it already existed", required: true, schema: { type: "string", enum: ["true", "false"] } },
      },
      content: json(ContactSchema),
    },
    ...errorResponses("VALIDATION_FAILED", "UNSUPPORTED_MEDIA_TYPE", ...AUTH_ERRORS),
  },
});

export const getContact = createRoute({
  method: "get",
  path: "/v1/contacts/{id}",
  operationId: "getContact",
  tags: ["Contacts"],
  summary: "Get a contact",
  description: withScope("contacts:read", "Fetch one contact by id. Unknown, malformed and other WABAs' ids all answer 404, so probing for foreign ids leaks nothing."),
  ...authenticated("contacts:read"),
  request: { params: PathId },
  responses: {
    200: { description: "The contact", headers: rateLimitHeaders, content: json(ContactSchema) },
    ...errorResponses("NOT_FOUND", ...AUTH_ERRORS),
  },
});

export const updateContact = createRoute({
  method: "patch",
  path: "/v1/contacts/{id}",
  operationId: "updateContact",
  tags: ["Contacts"],
  summary: "Update a contact",
  description: withScope(
    "contacts:write",
    "Partial update — supply only the fields you want to change. Tags fully replace the current set; customFields shallow-merge " +
    "(a null value removes a field). All changes apply together or not at all. An empty body changes nothing and returns the contact.",
  ),
  ...authenticated("contacts:write"),
  request: { params: PathId, body: { content: json(UpdateContactBody), required: true } },
  responses: {
    200: { description: "The updated contact", headers: rateLimitHeaders, content: json(ContactSchema) },
    ...errorResponses("VALIDATION_FAILED", "UNSUPPORTED_MEDIA_TYPE", "NOT_FOUND", ...AUTH_ERRORS),
  },
});
