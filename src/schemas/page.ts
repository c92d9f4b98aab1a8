import { z } from "@hono/zod-openapi";

// The one list envelope every cursor-paginated route answers with.

/** `{ data, nextCursor }`: nextCursor is null on the last page. */
export const Page = <T extends z.ZodTypeAny>(item: T, cursorExample: string) =>
  z.object({
    data: z.array(item),
    nextCursor: z.string().nullable().openapi({ description: "Pass it as the cursor of the next request; null on the last page", example: cursorExample }),
  });

/**
 * Rows fetched with LIMIT limit + 1 → the page and its next cursor: the extra row only says that
 * another page exists, so a last page that is exactly full still ends with nextCursor null.
 */
export function pageOf<T>(rows: T[], limit: number, cursorOf: (last: T) => string): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last !== undefined ? cursorOf(last) : null };
}
