import { describe, expect, it } from "vitest";
import { parseClerkEvent } from "../../../src/webhooks/clerk-events";
import {
  type ClerkEvent,
  clerkEvent,
  deletedEvent,
  domainEvent,
  invitationEvent,
  membershipEvent,
  organizationEvent,
  paymentAttemptEvent,
  type SubscriptionItemFields,
  sessionCreatedEvent,
  subscriptionEvent,
  subscriptionItemEvent,
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

const teamItem: SubscriptionItemFields = {
  id: "csubi_1",
  subscriptionId: "csub_1",
  organizationId: "org_1",
  plan: { slug: "team", name: "Team", amount: 2900 },
  status: "active",
  periodStart: 10_000,
  periodEnd: 20_000,
  updatedAt: 11_000,
};
const subscription = {
  id: "csub_1",
  organizationId: "org_1",
  updatedAt: 12_000,
  items: [teamItem],
};
const payment = {
  id: "cpay_1",
  organizationId: "org_1",
  status: "paid" as const,
  amount: 2900,
  planName: "Team",
  updatedAt: 11_500,
};

const SUBSCRIPTION_ITEM_EVENTS = [
  "abandoned",
  "active",
  "canceled",
  "ended",
  "freeTrialEnding",
  "incomplete",
  "pastDue",
  "upcoming",
  "updated",
];

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
    ...(
      [
        "subscription.created",
        "subscription.updated",
        "subscription.active",
        "subscription.pastDue",
      ] as const
    ).map((type) => [type, subscriptionEvent(type, subscription)] as const),
    ...SUBSCRIPTION_ITEM_EVENTS.map(
      (e) =>
        [
          `subscriptionItem.${e}`,
          subscriptionItemEvent(`subscriptionItem.${e}`, teamItem),
        ] as const,
    ),
    ["paymentAttempt.created", paymentAttemptEvent("paymentAttempt.created", payment)],
    ["paymentAttempt.updated", paymentAttemptEvent("paymentAttempt.updated", payment)],
  ] as [string, ClerkEvent][])(
    "reads a %s event shaped as Clerk's webhook spec says",
    (_type, event) => {
      expect(validateWebhookPayload(event)).toEqual({ ok: true, operation: expect.any(String) });
      expect(parseClerkEvent(event).kind).toBe("handled");
    },
  );

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

  it("reads session.created as a sign-in of its user at the session's creation, naming an impersonator", () => {
    expect(parseClerkEvent(sessionCreatedEvent(user, 9_000))).toMatchObject({
      change: { kind: "signed-in", userId: "user_1", at: new Date(9_000), impersonatorId: null },
    });
    expect(
      parseClerkEvent(sessionCreatedEvent(user, 9_000, { sub: "user_support" })),
    ).toMatchObject({ change: { kind: "signed-in", impersonatorId: "user_support" } });
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

  it("takes each item of a subscription event with the subscription's organization and id", () => {
    const ended = { ...teamItem, id: "csubi_0", status: "ended" as const, plan: null };
    const event = subscriptionEvent("subscription.updated", {
      ...subscription,
      items: [ended, teamItem],
    });
    expect(parseClerkEvent(event)).toMatchObject({
      change: {
        kind: "subscription-changed",
        items: [
          { id: "csubi_0", subscriptionId: "csub_1", organizationId: "org_1", planSlug: null },
          {
            id: "csubi_1",
            subscriptionId: "csub_1",
            organizationId: "org_1",
            planSlug: "team",
            planName: "Team",
            interval: "month",
            status: "active",
            periodStart: new Date(10_000),
            periodEnd: new Date(20_000),
            updatedAt: new Date(11_000),
          },
        ],
      },
    });
  });

  it("reads a subscription item event as that item's change, and a payment as its outcome", () => {
    expect(
      parseClerkEvent(subscriptionItemEvent("subscriptionItem.pastDue", teamItem)),
    ).toMatchObject({
      change: {
        kind: "subscription-item-changed",
        event: "pastDue",
        item: { id: "csubi_1", organizationId: "org_1", subscriptionId: "csub_1" },
      },
    });
    const failed = paymentAttemptEvent("paymentAttempt.updated", { ...payment, status: "failed" });
    expect(parseClerkEvent(failed)).toMatchObject({
      change: {
        kind: "payment-attempted",
        payment: {
          organizationId: "org_1",
          status: "failed",
          amount: "29.00 USD",
          card: "visa 4242",
          planName: "Team",
          failedReason: "card_declined: insufficient_funds",
        },
      },
    });
  });

  it("leaves out a user's subscription: plans here are organizations'", () => {
    const event = subscriptionItemEvent("subscriptionItem.active", teamItem);
    (event.data.payer as Record<string, unknown>).organization_id = "";
    expect(parseClerkEvent(event)).toMatchObject({ change: { item: null } });
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
