import { z } from "zod";
import type { Core } from "../core";
import {
  createDomain,
  deleteDomain,
  domainPayload,
  domainsOfOrganization,
  getDomain,
  isVerified,
  updateDomain,
} from "../domain/organization-domains";
import { getOrganization } from "../domain/organizations";
import { parseParams } from "../domain/params";
import type { Router } from "../http/router";
import type { OrganizationDomainRecord } from "../store/records";
import { ctxOf, json, paginate, sortBy } from "./shared";

// Verified domains through the Backend API. Clerk's Backend API has no membership-request
// endpoints: requests are the Frontend API's (fapi/domain-routes.ts).

const CreateDomainBody = z
  .object({
    name: z.string(),
    enrollment_mode: z.string().optional(),
    verified: z.boolean().nullish(),
  })
  .strict();

const UpdateDomainBody = z
  .object({ enrollment_mode: z.string().nullish(), verified: z.boolean().nullish() })
  .strict();

const Filters = z.object({
  verified: z.enum(["true", "false"]).optional(),
  // `-mode` excludes a mode; several compose as AND.
  enrollment_mode: z.array(z.string()),
});

// Newest first unless `order_by` says otherwise (`name`, `created_at`, with +/-).
function listed(core: Core, domains: OrganizationDomainRecord[], q: URLSearchParams) {
  const filters = parseParams(Filters, {
    verified: q.get("verified") ?? undefined,
    enrollment_mode: q.getAll("enrollment_mode").flatMap((v) => v.split(",")),
  });
  const include = filters.enrollment_mode.filter((m) => !m.startsWith("-"));
  const exclude = filters.enrollment_mode.filter((m) => m.startsWith("-")).map((m) => m.slice(1));
  const names = q.getAll("domains").map((n) => n.trim().toLowerCase());
  const text = q.get("query")?.trim().toLowerCase();
  const matching = domains.filter(
    (d) =>
      (filters.verified === undefined || isVerified(d) === (filters.verified === "true")) &&
      (!include.length || include.includes(d.enrollmentMode)) &&
      !exclude.includes(d.enrollmentMode) &&
      (!names.length || names.includes(d.name)) &&
      (!text ||
        (text.startsWith("org_")
          ? d.organizationId === q.get("query")?.trim()
          : d.name.includes(text))),
  );
  const sorted = sortBy(matching, q.get("order_by"), "-created_at", {
    created_at: (d) => d.createdAt,
    name: (d) => d.name,
  });
  const page = paginate(sorted, q);
  return { data: page.items.map((d) => domainPayload(core, d)), total_count: page.totalCount };
}

export function registerOrganizationDomainRoutes(router: Router, core: Core) {
  const domainOf = (orgId: string, domainId: string) =>
    getDomain(core, getOrganization(core, orgId).id, domainId);

  router
    .add("POST", "/v1/organizations/:id/domains", async (req, p) => {
      const body = parseParams(CreateDomainBody, req.body);
      const d = await createDomain(ctxOf(core, req), getOrganization(core, p.id as string).id, {
        name: body.name,
        enrollmentMode: body.enrollment_mode,
        // Verified unless told otherwise, as Clerk's Backend API does.
        verified: body.verified ?? true,
      });
      return json(domainPayload(core, d));
    })
    .add("GET", "/v1/organizations/:id/domains", (req, p) => {
      const org = getOrganization(core, p.id as string);
      return json(listed(core, domainsOfOrganization(core, org.id), req.query));
    })
    .add("PATCH", "/v1/organizations/:id/domains/:domainId", async (req, p) => {
      const body = parseParams(UpdateDomainBody, req.body);
      const d = await updateDomain(
        ctxOf(core, req),
        domainOf(p.id as string, p.domainId as string),
        {
          enrollmentMode: body.enrollment_mode,
          verified: body.verified,
        },
      );
      return json(domainPayload(core, d));
    })
    .add("DELETE", "/v1/organizations/:id/domains/:domainId", (req, p) =>
      json(deleteDomain(ctxOf(core, req), domainOf(p.id as string, p.domainId as string))),
    )
    .add("GET", "/v1/organization_domains", (req) => {
      const orgIds = req.query.getAll("organization_id");
      const all = orgIds.length
        ? [...new Set(orgIds)].flatMap((id) => domainsOfOrganization(core, id))
        : Object.values(core.store.state.organizationDomains);
      return json(listed(core, all, req.query));
    });
}
