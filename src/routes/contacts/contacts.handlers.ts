import type { RouteHandler } from "@hono/zod-openapi";
import { MAX_CUSTOM_FIELDS, type Contact } from "../../data-plane/contacts";
import type { AppEnv } from "../../env";
import { ApiError } from "../../errors";
import { iso, isResourceId } from "../../schemas/common";
import { CONTACT_CREATED_HEADER } from "./contacts.routes";
import type * as routes from "./contacts.routes";

const out = (c: Contact) => ({ ...c, createdAt: iso(c.createdAt) });
// one answer for unknown, foreign and malformed ids
const notFound = () => new ApiError("NOT_FOUND", "Contact not found");

export const listContacts: RouteHandler<typeof routes.listContacts, AppEnv> = async (c) => {
  const q = c.req.valid("query");
  const page = await c.var.store.listContacts(c.var.key.wabaId, { search: q.search, tag: q.tag, optedIn: q.optedIn, after: q.cursor, limit: q.limit });
  return c.json({ data: page.items.map(out), nextCursor: page.nextCursor }, 200);
};

export const createContact: RouteHandler<typeof routes.createContact, AppEnv> = async (c) => {
  const { created, contact } = await c.var.store.createContact(c.var.key.wabaId, c.req.valid("json"));
  // the v1 reference answers 200 for a new contact and an existing one alike
  c.header(CONTACT_CREATED_HEADER, String(created));
  return c.json(out(contact), 200);
};

export const getContact: RouteHandler<typeof routes.getContact, AppEnv> = async (c) => {
  const { id } = c.req.valid("param");
  const contact = isResourceId(id) ? await c.var.store.getContact(c.var.key.wabaId, id) : null;
  if (!contact) throw notFound();
  return c.json(out(contact), 200);
};

export const updateContact: RouteHandler<typeof routes.updateContact, AppEnv> = async (c) => {
  const { id } = c.req.valid("param");
  const patch = c.req.valid("json");
  if (!isResourceId(id)) throw notFound();
  const result = await c.var.store.patchContact(c.var.key.wabaId, id, patch);
  if (result.kind === "not_found") throw notFound();
  if (result.kind === "too_many_custom_fields") {
    const message = `would leave the contact with ${result.count} custom fields; the limit is ${MAX_CUSTOM_FIELDS} (send null to remove a field)`;
    throw new ApiError("VALIDATION_FAILED", `customFields: ${message}`, { details: [{ field: "customFields", message }] });
  }
  return c.json(out(result.contact), 200);
};
