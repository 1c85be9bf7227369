import { z } from "zod";
import type { Core } from "../core";
import {
  acceptRequest,
  acceptSuggestion,
  getRequest,
  rejectRequest,
  requestsOfOrganization,
  suggestionsOfUser,
} from "../domain/membership-requests";
import {
  attemptAffiliation,
  createDomain,
  deleteDomain,
  domainPayload,
  domainsOfOrganization,
  getDomain,
  isVerified,
  prepareAffiliation,
  updateDomain,
} from "../domain/organization-domains";
import { FormBoolean, parseParams } from "../domain/params";
import { getUser } from "../domain/users";
import type { RequestInfo, Router } from "../http/router";
import {
  fapiDeletedObjectJSON,
  fapiMembershipRequestJSON,
  fapiSuggestionJSON,
} from "../json/fapi-json";
import { fapiCtx, signedInUser } from "./context";
import { withClient } from "./envelope";
import { paginated } from "./me-routes";
import { authorizeMember } from "./organization-routes";

// clerk-js sends a list filter once per value; accept "a,b" too.
const statusesOf = (req: RequestInfo) => req.query.getAll("status").flatMap((s) => s.split(","));

// What <OrganizationProfile/> calls for its Verified domains section and Requests tab, and
// <OrganizationSwitcher/> / <OrganizationList/> for a user's suggestions. Domains need Clerk's
// `org:sys_domains:*` permissions, requests `org:sys_memberships:manage`.

const DOMAINS_READ = "org:sys_domains:read";
const DOMAINS_MANAGE = "org:sys_domains:manage";
const MEMBERS_MANAGE = "org:sys_memberships:manage";

const CreateBody = z.object({ name: z.string(), enrollment_mode: z.string().nullish() });
const EnrollmentBody = z.object({
  enrollment_mode: z.string(),
  delete_pending: FormBoolean.nullish(),
});
const PrepareBody = z.object({ affiliation_email_address: z.string() });
const AttemptBody = z.object({ code: z.string() });
const ListQuery = z.object({
  verified: FormBoolean.optional(),
  enrollment_mode: z.string().optional(),
});

export function registerFapiDomainRoutes(router: Router, core: Core) {
  // The organization's domain, for a member holding `permission`.
  const memberDomain = (req: RequestInfo, p: Record<string, string>, permission: string) => {
    const f = fapiCtx(core, req);
    const { org } = authorizeMember(f, req, p.id as string, permission);
    return { f, domain: getDomain(core, org.id, p.domainId as string) };
  };

  router
    .add(
      "POST",
      "/v1/organizations/:id/domains",
      async (req, p) => {
        const f = fapiCtx(core, req);
        const { org, session } = authorizeMember(f, req, p.id as string, DOMAINS_MANAGE);
        const body = parseParams(CreateBody, req.body);
        const d = await createDomain(f, org.id, {
          name: body.name,
          enrollmentMode: body.enrollment_mode,
          creator: getUser(core, session.userId),
        });
        return withClient(f, domainPayload(core, d));
      },
      "frontend",
    )
    .add(
      "GET",
      "/v1/organizations/:id/domains",
      (req, p) => {
        const f = fapiCtx(core, req);
        const { org } = authorizeMember(f, req, p.id as string, DOMAINS_READ);
        const q = parseParams(ListQuery, {
          verified: req.query.get("verified") ?? undefined,
          enrollment_mode: req.query.get("enrollment_mode") ?? undefined,
        });
        const domains = domainsOfOrganization(core, org.id)
          .filter(
            (d) =>
              (q.verified === undefined || isVerified(d) === q.verified) &&
              (q.enrollment_mode === undefined || d.enrollmentMode === q.enrollment_mode),
          )
          .sort((a, b) => b.createdAt - a.createdAt)
          .map((d) => domainPayload(core, d));
        return withClient(f, paginated(domains, req));
      },
      "frontend",
    )
    .add(
      "GET",
      "/v1/organizations/:id/domains/:domainId",
      (req, p) => {
        const { f, domain } = memberDomain(req, p, DOMAINS_READ);
        return withClient(f, domainPayload(core, domain));
      },
      "frontend",
    )
    .add(
      "DELETE",
      "/v1/organizations/:id/domains/:domainId",
      (req, p) => {
        const { f, domain } = memberDomain(req, p, DOMAINS_MANAGE);
        deleteDomain(f, domain);
        return withClient(f, fapiDeletedObjectJSON("organization_domain", domain.id));
      },
      "frontend",
    )
    .add(
      "POST",
      "/v1/organizations/:id/domains/:domainId/update_enrollment_mode",
      async (req, p) => {
        const { f, domain } = memberDomain(req, p, DOMAINS_MANAGE);
        const body = parseParams(EnrollmentBody, req.body);
        const d = await updateDomain(f, domain, {
          enrollmentMode: body.enrollment_mode,
          deletePending: body.delete_pending,
        });
        return withClient(f, domainPayload(core, d));
      },
      "frontend",
    )
    .add(
      "POST",
      "/v1/organizations/:id/domains/:domainId/prepare_affiliation_verification",
      (req, p) => {
        const { f, domain } = memberDomain(req, p, DOMAINS_MANAGE);
        const body = parseParams(PrepareBody, req.body);
        const d = prepareAffiliation(f, domain, body.affiliation_email_address);
        return withClient(f, domainPayload(core, d));
      },
      "frontend",
    )
    .add(
      "POST",
      "/v1/organizations/:id/domains/:domainId/attempt_affiliation_verification",
      async (req, p) => {
        const { f, domain } = memberDomain(req, p, DOMAINS_MANAGE);
        const body = parseParams(AttemptBody, req.body);
        const d = await attemptAffiliation(f, domain, body.code);
        return withClient(f, domainPayload(core, d));
      },
      "frontend",
    )
    .add(
      "GET",
      "/v1/organizations/:id/membership_requests",
      (req, p) => {
        const f = fapiCtx(core, req);
        const { org } = authorizeMember(f, req, p.id as string, MEMBERS_MANAGE);
        const requests = requestsOfOrganization(core, org.id, statusesOf(req)).map((r) =>
          fapiMembershipRequestJSON(core, r),
        );
        return withClient(f, paginated(requests, req));
      },
      "frontend",
    )
    .add(
      "POST",
      "/v1/organizations/:id/membership_requests/:requestId/accept",
      (req, p) => {
        const f = fapiCtx(core, req);
        const { org } = authorizeMember(f, req, p.id as string, MEMBERS_MANAGE);
        const request = acceptRequest(f, getRequest(core, org.id, p.requestId as string));
        return withClient(f, fapiMembershipRequestJSON(core, request));
      },
      "frontend",
    )
    .add(
      "POST",
      "/v1/organizations/:id/membership_requests/:requestId/reject",
      (req, p) => {
        const f = fapiCtx(core, req);
        const { org } = authorizeMember(f, req, p.id as string, MEMBERS_MANAGE);
        const request = rejectRequest(f, getRequest(core, org.id, p.requestId as string));
        return withClient(f, fapiMembershipRequestJSON(core, request));
      },
      "frontend",
    )
    .add(
      "GET",
      "/v1/me/organization_suggestions",
      (req) => {
        const { f, user } = signedInUser(core, req);
        const suggestions = suggestionsOfUser(core, user.id, statusesOf(req)).map((s) =>
          fapiSuggestionJSON(core, s),
        );
        return withClient(f, paginated(suggestions, req));
      },
      "frontend",
    )
    .add(
      "POST",
      "/v1/me/organization_suggestions/:id/accept",
      (req, p) => {
        const { f, user } = signedInUser(core, req);
        const suggestion = acceptSuggestion(f, user.id, p.id as string);
        return withClient(f, fapiSuggestionJSON(core, suggestion));
      },
      "frontend",
    );
}
