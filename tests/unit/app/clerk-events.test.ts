import { describe, expect, it } from "vitest";
import { parseClerkEvent } from "../../../src/webhooks/clerk-events";
import {
  clerkEvent,
  deletedEvent,
  domainEvent,
  invitationEvent,
  membershipEvent,
  organizationEvent,
  sessionCreatedEvent,
  userEvent,
} from "../../support/clerk-webhooks";
import { validateWebhookPayload } from "../../support/openapi-contract";

const org = { id: "org_1", name: "Acme", slug: "acme", updatedAt: 2_000 };
const user = {
  id: "user_1",
  email: "ada@example.com",
  firstName: "Ada",
  lastName: "Lovelace",
  updatedAt: 1_000,
};
const membership = {
  id: "orgmem_1",
  organization: org,
  user: { id: "user_1", firstName: "Ada", lastName: null },
  role: "org:admin",
  updatedAt: 3_000,
};

const domain = {
  id: "orgdmn_1",
  organization: org,
  name: "acme.test",
  enrollmentMode: "automatic_suggestion" as const,
  verified: true,
  updatedAt: 6_000,
};

const invitation = {
  id: "orginv_1",
  organization: org,
  email: "grace@example.com",
  role: "org:member",
  inviterId: "user_1",
  createdAt: 4_000,
  updatedAt: 4_000,
};

describe("Clerk event parsing", () => {
  it.each([
    ["user.created", userEvent("user.created", user)],
    ["user.updated", userEvent("user.updated", { ...user, lastSignInAt: 1_500 })],
    ["user.deleted", deletedEvent("user.deleted", "user_1")],
    ["organization.created", organizationEvent("organization.created", org)],
    ["organization.updated", organizationEvent("organization.updated", org)],
    ["organization.deleted", deletedEvent("organization.deleted", "org_1")],
    [
      "organizationMembership.created",
      membershipEvent("organizationMembership.created", membership),
    ],
    [
      "organizationMembership.updated",
      membershipEvent("organizationMembership.updated", membership),
    ],
    [
      "organizationMembership.deleted",
      membershipEvent("organizationMembership.deleted", membership),
    ],
    ["session.created", sessionCreatedEvent(user, 9_000)],
    [
      "organizationInvitation.created",
      invitationEvent("organizationInvitation.created", invitation),
    ],
    [
      "organizationInvitation.accepted",
      invitationEvent("organizationInvitation.accepted", {
        ...invitation,
        acceptedBy: "user_2",
        updatedAt: 5_000,
      }),
    ],
    [
      "organizationInvitation.revoked",
      invitationEvent("organizationInvitation.revoked", {
        ...invitation,
        inviterId: null,
        updatedAt: 5_000,
      }),
    ],
    ["organizationDomain.created", domainEvent("organizationDomain.created", domain)],
    [
      "organizationDomain.updated",
      domainEvent("organizationDomain.updated", { ...domain, verified: false }),
    ],
    ["organizationDomain.deleted", deletedEvent("organizationDomain.deleted", "orgdmn_1")],
  ])("reads a %s event shaped as Clerk's webhook spec says", (_type, event) => {
    expect(validateWebhookPayload(event)).toEqual({ ok: true, operation: expect.any(String) });
    expect(parseClerkEvent(event).kind).toBe("handled");
  });

  it("takes a user's primary email address, names, image and timestamps", () => {
    const event = userEvent("user.updated", {
      ...user,
      imageUrl: "https://img/x",
      lastSignInAt: 5,
    });
    expect(parseClerkEvent(event)).toEqual({
      kind: "handled",
      type: "user.updated",
      change: {
        kind: "user-upserted",
        user: {
          id: "user_1",
          email: "ada@example.com",
          firstName: "Ada",
          lastName: "Lovelace",
          imageUrl: "https://img/x",
          lastSignInAt: new Date(5),
          updatedAt: new Date(1_000),
        },
      },
    });
  });

  it("reads Clerk's empty image URL as no image", () => {
    const parsed = parseClerkEvent(organizationEvent("organization.created", org));
    expect(parsed).toMatchObject({ change: { organization: { imageUrl: null } } });
  });

  it("takes a membership's organization and user from the event's embedded objects", () => {
    expect(parseClerkEvent(membershipEvent("organizationMembership.deleted", membership))).toEqual({
      kind: "handled",
      type: "organizationMembership.deleted",
      change: {
        kind: "membership-deleted",
        membership: {
          id: "orgmem_1",
          organizationId: "org_1",
          userId: "user_1",
          role: "org:admin",
          updatedAt: new Date(3_000),
          organization: { name: "Acme", slug: "acme", imageUrl: null },
          user: { firstName: "Ada", lastName: null, imageUrl: null, identifier: null },
        },
      },
    });
  });

  it("reads session.created as a sign-in of its user at the session's creation", () => {
    expect(parseClerkEvent(sessionCreatedEvent(user, 9_000))).toMatchObject({
      change: { kind: "signed-in", userId: "user_1", at: new Date(9_000) },
    });
  });

  it("takes an invitation's organization, address, role, inviter and the user who accepted it", () => {
    const event = invitationEvent("organizationInvitation.accepted", {
      ...invitation,
      acceptedBy: "user_2",
      updatedAt: 5_000,
    });
    expect(parseClerkEvent(event)).toEqual({
      kind: "handled",
      type: "organizationInvitation.accepted",
      change: {
        kind: "invitation-changed",
        event: "accepted",
        invitation: {
          id: "orginv_1",
          organizationId: "org_1",
          emailAddress: "grace@example.com",
          role: "org:member",
          inviterId: "user_1",
          acceptedBy: "user_2",
          updatedAt: new Date(5_000),
        },
      },
    });
  });

  it("takes a domain's organization, name, enrollment mode and whether it is verified", () => {
    expect(parseClerkEvent(domainEvent("organizationDomain.updated", domain))).toEqual({
      kind: "handled",
      type: "organizationDomain.updated",
      change: {
        kind: "domain-upserted",
        created: false,
        domain: {
          id: "orgdmn_1",
          organizationId: "org_1",
          name: "acme.test",
          enrollmentMode: "automatic_suggestion",
          verified: true,
          updatedAt: new Date(6_000),
        },
      },
    });
    expect(
      parseClerkEvent(domainEvent("organizationDomain.created", { ...domain, verified: false })),
    ).toMatchObject({ change: { created: true, domain: { verified: false } } });
    expect(parseClerkEvent(deletedEvent("organizationDomain.deleted", "orgdmn_1"))).toMatchObject({
      change: { kind: "domain-deleted", domainId: "orgdmn_1" },
    });
  });

  it("reports an invitation without its organization as malformed", () => {
    const event = invitationEvent("organizationInvitation.revoked", invitation);
    delete event.data.organization_id;
    expect(parseClerkEvent(event)).toMatchObject({
      kind: "malformed",
      issues: [{ path: "data.organization_id" }],
    });
  });

  it("reports an event type it does not handle as unhandled, not as an error", () => {
    const event = clerkEvent("email.created", { id: "ema_1" });
    expect(parseClerkEvent(event)).toEqual({ kind: "unhandled", type: "email.created" });
  });

  it("reports a handled event with a missing field as malformed, naming the field", () => {
    const event = organizationEvent("organization.updated", org);
    delete event.data.updated_at;
    expect(parseClerkEvent(event)).toEqual({
      kind: "malformed",
      type: "organization.updated",
      issues: [{ path: "data.updated_at", message: expect.any(String) }],
    });
  });

  it("reports a payload without a type as malformed", () => {
    expect(parseClerkEvent({ data: {} })).toMatchObject({ kind: "malformed", type: null });
    expect(parseClerkEvent("not an object")).toMatchObject({ kind: "malformed", type: null });
  });

  it("does not take an inherited property name for an event type", () => {
    expect(parseClerkEvent(clerkEvent("constructor", {}))).toEqual({
      kind: "unhandled",
      type: "constructor",
    });
  });
});
