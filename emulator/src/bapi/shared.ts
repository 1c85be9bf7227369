import { z } from "zod";
import type { Core, Ctx } from "../core";
import { parseParams } from "../domain/params";
import type { RequestInfo } from "../http/router";

export function ctxOf(core: Core, req: RequestInfo): Ctx {
  return {
    core,
    origin: { clientIp: req.ip, userAgent: String(req.headers["user-agent"] ?? "") },
  };
}

export const metadataSchema = z.record(z.string(), z.unknown());

const PageSchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(10),
  offset: z.coerce.number().int().min(0).default(0),
});

export function pageOf(query: URLSearchParams) {
  return parseParams(PageSchema, {
    limit: query.get("limit") ?? undefined,
    offset: query.get("offset") ?? undefined,
  });
}

export function paginate<T>(items: T[], query: URLSearchParams) {
  const { limit, offset } = pageOf(query);
  return { items: items.slice(offset, offset + limit), totalCount: items.length };
}

// `order_by=-created_at`: a leading "-" sorts descending, "+" or none ascending.
export function sortBy<T>(
  items: T[],
  orderBy: string | null,
  fallback: string,
  keys: Record<string, (item: T) => string | number | null>,
): T[] {
  const spec = orderBy ?? fallback;
  const desc = spec.startsWith("-");
  const field = spec.replace(/^[+-]/, "");
  const key = keys[field] ?? keys[fallback.replace(/^[+-]/, "")];
  if (!key) return items;
  return [...items].sort((a, b) => {
    const x = key(a) ?? "";
    const y = key(b) ?? "";
    const cmp = x < y ? -1 : x > y ? 1 : 0;
    return desc ? -cmp : cmp;
  });
}

export const json = (body: unknown, status = 200) => ({ status, json: body });
