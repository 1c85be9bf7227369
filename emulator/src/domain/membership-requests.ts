import type { Core, Ctx } from "../core";
import { errors } from "../http/clerk-errors";
import { newId } from "../store/ids";
import type { MembershipRequestRecord, OrganizationSuggestionRecord } from "../store/records";
import { createMembership, findMembership } from "./memberships";
import { domainSettings } from "./organization-settings";

// A verified domain's suggestions, and the membership requests people make by accepting them,
// which an organization's member managers accept (the user joins with the domains' default role,
// announced as any new membership: Clerk has no webhook for requests) or reject.

// A user's suggestions, newest first, with these statuses (all without any). Organizations they
// have joined since are left out.
export function suggestionsOfUser(
  core: Core,
  userId: string,
  statuses: readonly string[],
): OrganizationSuggestionRecord[] {
  return core.store
    .lookup("organizationSuggestions", "user", userId)
    .filter(
      (s) =>
        (statuses.length === 0 || statuses.includes(s.status)) &&
        !findMembership(core, s.organizationId, userId),
    )
    .sort((a, b) => b.createdAt - a.createdAt);
}

// Asking to join: the suggestion is accepted and the organization gets a pending request (one per
// user and organization).
export function acceptSuggestion(
  ctx: Ctx,
  userId: string,
  suggestionId: string,
): OrganizationSuggestionRecord {
  const { core } = ctx;
  const suggestion = core.store.state.organizationSuggestions[suggestionId];
  if (!suggestion || suggestion.userId !== userId) throw errors.notFound("organization suggestion");
  if (findMembership(core, suggestion.organizationId, userId)) {
    throw errors.alreadyAMemberOf(userId);
  }
  const now = core.now();
  if (suggestion.status === "pending") {
    suggestion.status = "accepted";
    suggestion.updatedAt = Math.max(now, suggestion.updatedAt + 1);
    core.store.save();
  }
  const requested = core.store
    .lookup("membershipRequests", "user", userId)
    .some((r) => r.organizationId === suggestion.organizationId && r.status === "pending");
  if (!requested) {
    core.store.put("membershipRequests", {
      id: newId("orgmbrreq"),
      organizationId: suggestion.organizationId,
      userId,
      status: "pending",
      createdAt: now,
      updatedAt: now,
    });
  }
  return suggestion;
}

// An organization's requests, newest first, with these statuses (all without any).
export function requestsOfOrganization(
  core: Core,
  organizationId: string,
  statuses: readonly string[],
): MembershipRequestRecord[] {
  return core.store
    .lookup("membershipRequests", "organization", organizationId)
    .filter((r) => statuses.length === 0 || statuses.includes(r.status))
    .sort((a, b) => b.createdAt - a.createdAt);
}

export function getRequest(core: Core, organizationId: string, requestId: string) {
  const request = core.store.state.membershipRequests[requestId];
  if (!request || request.organizationId !== organizationId) {
    throw errors.notFound("organization membership request");
  }
  return request;
}

function decided(
  ctx: Ctx,
  request: MembershipRequestRecord,
  status: "accepted" | "rejected",
): MembershipRequestRecord {
  request.status = status;
  request.updatedAt = Math.max(ctx.core.now(), request.updatedAt + 1);
  ctx.core.store.save();
  return request;
}

// The requester joins (unless they joined another way meanwhile).
export function acceptRequest(ctx: Ctx, request: MembershipRequestRecord): MembershipRequestRecord {
  if (request.status !== "pending") throw errors.membershipRequestNotPending();
  if (!findMembership(ctx.core, request.organizationId, request.userId)) {
    createMembership(
      ctx,
      request.organizationId,
      request.userId,
      domainSettings(ctx.core).defaultRole,
    );
  }
  return decided(ctx, request, "accepted");
}

export function rejectRequest(ctx: Ctx, request: MembershipRequestRecord): MembershipRequestRecord {
  if (request.status !== "pending") throw errors.membershipRequestNotPending();
  return decided(ctx, request, "rejected");
}

// An organization's or a user's suggestions and requests go with them.
export function forgetRequestsOf(core: Core, by: "organization" | "user", id: string): void {
  for (const s of core.store.lookup("organizationSuggestions", by, id)) {
    core.store.remove("organizationSuggestions", s.id);
  }
  for (const r of core.store.lookup("membershipRequests", by, id)) {
    core.store.remove("membershipRequests", r.id);
  }
}
