import { and, asc, eq, gt, isNull } from "drizzle-orm";
import type { Database } from "../db/client";
import { templates } from "../db/schema";
import { pageOf } from "../schemas/page";

export type TemplateFilter = {
  /** Meta's upper case: APPROVED, PENDING, REJECTED */
  status?: string;
  /** Meta's upper case: MARKETING, UTILITY, AUTHENTICATION */
  category?: string;
  language?: string;
  /** template id: the page starts after it */
  after?: string;
  limit: number;
};

export type TemplateItem = { id: string; name: string; language: string; category: string; status: string; components: Array<Record<string, unknown>> };

/**
 * One page of the WABA's templates in id order. Templates that vanished upstream are not listed.
 * Served by templates_waba_id_idx, or templates_waba_status_idx with a status filter.
 */
export function templatesPageQuery(db: Database, wabaId: string, f: TemplateFilter) {
  return db
    .select({ id: templates.id, name: templates.name, language: templates.language, category: templates.category, status: templates.status, components: templates.components })
    .from(templates)
    .where(and(
      eq(templates.wabaId, wabaId),
      f.status !== undefined ? eq(templates.status, f.status) : undefined,
      f.after !== undefined ? gt(templates.id, f.after) : undefined,
      isNull(templates.removedUpstreamAt),
      f.category !== undefined ? eq(templates.category, f.category) : undefined,
      f.language !== undefined ? eq(templates.language, f.language) : undefined,
    ))
    .orderBy(asc(templates.id))
    .limit(f.limit + 1);
}

export async function listTemplates(db: Database, wabaId: string, f: TemplateFilter): Promise<{ items: TemplateItem[]; nextCursor: string | null }> {
  const rows = await templatesPageQuery(db, wabaId, f).all();
  const page = pageOf(rows, f.limit, (last) => last.id);
  return { items: page.items.map((r) => ({ ...r, components: JSON.parse(r.components) as Array<Record<string, unknown>> })), nextCursor: page.nextCursor };
}
