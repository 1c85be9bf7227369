import { randomUUID } from "node:crypto";
import { Webhook } from "svix";
import { TEST_WEBHOOK_SECRET } from "./emulator-process";

// Clerk webhook events as Clerk sends them (the shapes of its webhook specification; a unit test
// holds every builder here to that spec), and Svix-signed deliveries of them.

export type ClerkEvent = { type: string; data: Record<string, unknown> } & Record<string, unknown>;

export function clerkEvent(type: string, data: Record<string, unknown>): ClerkEvent {
  return {
    data,
    event_attributes: { http_request: { client_ip: "127.0.0.1", user_agent: "tests" } },
    instance_id: "ins_tests",
    object: "event",
    timestamp: Math.floor(Date.now() / 1000),
    type,
  };
}

export type UserFields = {
  id: string;
  email?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  imageUrl?: string;
  lastSignInAt?: number | null;
  createdAt?: number;
  updatedAt: number;
};

function userJson(u: UserFields) {
  const emailId = `idn_${u.id}`;
  return {
    id: u.id,
    object: "user",
    external_id: null,
    primary_email_address_id: u.email ? emailId : null,
    primary_phone_number_id: null,
    primary_web3_wallet_id: null,
    username: null,
    first_name: u.firstName ?? null,
    last_name: u.lastName ?? null,
    image_url: u.imageUrl ?? "",
    has_image: Boolean(u.imageUrl),
    public_metadata: {},
    private_metadata: {},
    unsafe_metadata: {},
    email_addresses: u.email
      ? [
          {
            id: emailId,
            object: "email_address",
            email_address: u.email,
            reserved: false,
            verification: null,
            linked_to: [],
            created_at: u.createdAt ?? u.updatedAt,
            updated_at: u.updatedAt,
          },
        ]
      : [],
    phone_numbers: [],
    web3_wallets: [],
    passkeys: [],
    password_enabled: false,
    two_factor_enabled: false,
    totp_enabled: false,
    backup_code_enabled: false,
    mfa_enabled_at: null,
    mfa_disabled_at: null,
    external_accounts: [],
    saml_accounts: [],
    enterprise_accounts: [],
    last_sign_in_at: u.lastSignInAt ?? null,
    banned: false,
    locked: false,
    lockout_expires_in_seconds: null,
    verification_attempts_remaining: null,
    created_at: u.createdAt ?? u.updatedAt,
    updated_at: u.updatedAt,
    delete_self_enabled: true,
    create_organization_enabled: true,
    last_active_at: u.lastSignInAt ?? null,
    legal_accepted_at: null,
  };
}

export function userEvent(type: "user.created" | "user.updated", u: UserFields): ClerkEvent {
  return clerkEvent(type, userJson(u));
}

export type OrganizationFields = {
  id: string;
  name: string;
  slug: string;
  createdAt?: number;
  updatedAt: number;
};

function organizationJson(o: OrganizationFields) {
  return {
    object: "organization",
    id: o.id,
    name: o.name,
    slug: o.slug,
    image_url: "",
    has_image: false,
    max_allowed_memberships: 5,
    admin_delete_enabled: true,
    public_metadata: {},
    private_metadata: {},
    created_at: o.createdAt ?? o.updatedAt,
    updated_at: o.updatedAt,
  };
}

export function organizationEvent(
  type: "organization.created" | "organization.updated",
  o: OrganizationFields,
): ClerkEvent {
  return clerkEvent(type, organizationJson(o));
}

const DELETED_OBJECT = {
  "user.deleted": "user",
  "organization.deleted": "organization",
  "organizationDomain.deleted": "organization_domain",
} as const;

export function deletedEvent(type: keyof typeof DELETED_OBJECT, id: string) {
  return clerkEvent(type, { object: DELETED_OBJECT[type], id, deleted: true });
}

export type DomainFields = {
  id: string;
  organization: OrganizationFields;
  name: string;
  enrollmentMode: "manual_invitation" | "automatic_invitation" | "automatic_suggestion";
  verified: boolean;
  createdAt?: number;
  updatedAt: number;
};

export function domainEvent(
  type: "organizationDomain.created" | "organizationDomain.updated",
  d: DomainFields,
): ClerkEvent {
  const verification = d.verified
    ? {
        status: "verified",
        strategy: "email_code",
        attempts: 1,
        expire_at: null,
        verified_at: null,
      }
    : null;
  return clerkEvent(type, {
    object: "organization_domain",
    id: d.id,
    organization_id: d.organization.id,
    name: d.name,
    enrollment_mode: d.enrollmentMode,
    affiliation_email_address: d.verified ? `admin@${d.name}` : null,
    affiliation_verification: verification,
    ownership_verification: null,
    verification,
    total_pending_invitations: 0,
    total_pending_suggestions: 0,
    public_organization_data: {
      id: d.organization.id,
      name: d.organization.name,
      slug: d.organization.slug,
      image_url: "",
      has_image: false,
    },
    created_at: d.createdAt ?? d.updatedAt,
    updated_at: d.updatedAt,
  });
}

export type MembershipFields = {
  id: string;
  organization: OrganizationFields;
  user: { id: string; firstName?: string | null; lastName?: string | null; email?: string };
  role: string;
  createdAt?: number;
  updatedAt: number;
};

export function membershipEvent(
  type:
    | "organizationMembership.created"
    | "organizationMembership.updated"
    | "organizationMembership.deleted",
  m: MembershipFields,
): ClerkEvent {
  return clerkEvent(type, {
    id: m.id,
    object: "organization_membership",
    role: m.role,
    role_name: m.role === "org:admin" ? "Admin" : "Member",
    permissions: [],
    public_metadata: {},
    private_metadata: {},
    organization: organizationJson(m.organization),
    public_user_data: {
      user_id: m.user.id,
      first_name: m.user.firstName ?? null,
      last_name: m.user.lastName ?? null,
      profile_image_url: "",
      image_url: "",
      has_image: false,
      identifier: m.user.email ?? "",
    },
    created_at: m.createdAt ?? m.updatedAt,
    updated_at: m.updatedAt,
  });
}

export type InvitationFields = {
  id: string;
  organization: OrganizationFields;
  email: string;
  role: string;
  // The user who sent it; null when it was made through the Backend API without an inviter.
  inviterId: string | null;
  // The user who accepted it (organizationInvitation.accepted only).
  acceptedBy?: string;
  createdAt?: number;
  updatedAt: number;
};

export function invitationEvent(
  type:
    | "organizationInvitation.created"
    | "organizationInvitation.accepted"
    | "organizationInvitation.revoked",
  i: InvitationFields,
): ClerkEvent {
  const status = { created: "pending", accepted: "accepted", revoked: "revoked" }[
    type.split(".")[1] as "created" | "accepted" | "revoked"
  ];
  return clerkEvent(type, {
    object: "organization_invitation",
    id: i.id,
    email_address: i.email,
    role: i.role,
    role_name: i.role === "org:admin" ? "Admin" : "Member",
    organization_id: i.organization.id,
    inviter_id: i.inviterId,
    public_inviter_data: i.inviterId
      ? {
          user_id: i.inviterId,
          first_name: null,
          last_name: null,
          image_url: "",
          has_image: false,
          identifier: "inviter@example.com",
        }
      : null,
    status,
    public_metadata: {},
    private_metadata: {},
    url: null,
    expires_at: (i.createdAt ?? i.updatedAt) + 30 * 86_400_000,
    created_at: i.createdAt ?? i.updatedAt,
    updated_at: i.updatedAt,
    ...(i.acceptedBy && { user_id: i.acceptedBy }),
    ...(type === "organizationInvitation.accepted" && {
      data: {
        public_organization_data: {
          id: i.organization.id,
          name: i.organization.name,
          slug: i.organization.slug,
          has_image: false,
        },
      },
    }),
  });
}

// `actor`: an impersonation's session (an actor token's), naming who impersonates the user.
export function sessionCreatedEvent(
  user: UserFields,
  createdAt: number,
  actor: { sub: string } | null = null,
): ClerkEvent {
  return clerkEvent("session.created", {
    object: "session",
    id: `sess_${randomUUID()}`,
    user_id: user.id,
    client_id: "client_tests",
    actor,
    status: "active",
    last_active_organization_id: null,
    last_active_at: createdAt,
    expire_at: createdAt + 7 * 86_400_000,
    abandon_at: createdAt + 30 * 86_400_000,
    updated_at: createdAt,
    created_at: createdAt,
    user: userJson({ ...user, lastSignInAt: createdAt }),
  });
}

// Clerk Billing: an organization's subscription items, as the subscription and subscriptionItem
// events carry them.
export type SubscriptionItemFields = {
  id: string;
  subscriptionId: string;
  organizationId: string;
  plan: { slug: string; name: string; amount: number } | null;
  status: "active" | "upcoming" | "canceled" | "ended" | "past_due" | "abandoned" | "incomplete";
  interval?: "month" | "annual";
  periodStart: number;
  periodEnd: number | null;
  createdAt?: number;
  updatedAt: number;
};

function payerJson(organizationId: string) {
  return {
    object: "commerce_payer",
    id: `cpayer_${organizationId}`,
    user_id: "",
    first_name: "",
    last_name: "",
    email: "",
    organization_id: organizationId,
    organization_name: "Acme",
    image_url: "",
    created_at: 1,
    updated_at: 1,
  };
}

function subscriptionItemJson(i: SubscriptionItemFields, standalone: boolean) {
  return {
    object: "commerce_subscription_item",
    id: i.id,
    status: i.status,
    is_free_trial: false,
    created_at: i.createdAt ?? i.periodStart,
    updated_at: i.updatedAt,
    period_start: i.periodStart,
    period_end: i.periodEnd,
    interval: i.interval ?? "month",
    plan_id: i.plan ? `cplan_${i.plan.slug}` : null,
    plan: i.plan
      ? {
          id: `cplan_${i.plan.slug}`,
          slug: i.plan.slug,
          name: i.plan.name,
          is_recurring: true,
          amount: i.plan.amount,
          currency: "USD",
        }
      : null,
    // Clerk fills these only when the item is an event of its own.
    ...(standalone && { payer: payerJson(i.organizationId) }),
    subscription_id: standalone ? i.subscriptionId : null,
  };
}

export function subscriptionItemEvent(
  type: `subscriptionItem.${string}`,
  i: SubscriptionItemFields,
): ClerkEvent {
  return clerkEvent(type, subscriptionItemJson(i, true));
}

export function subscriptionEvent(
  type:
    | "subscription.created"
    | "subscription.updated"
    | "subscription.active"
    | "subscription.pastDue",
  s: { id: string; organizationId: string; updatedAt: number; items: SubscriptionItemFields[] },
): ClerkEvent {
  return clerkEvent(type, {
    object: "commerce_subscription",
    id: s.id,
    status: type === "subscription.pastDue" ? "past_due" : "active",
    active_at: 1,
    canceled_at: null,
    created_at: 1,
    ended_at: null,
    past_due_at: null,
    updated_at: s.updatedAt,
    latest_payment_id: null,
    payer_id: `cpayer_${s.organizationId}`,
    payer: payerJson(s.organizationId),
    payment_source_id: null,
    items: s.items.map((i) => subscriptionItemJson(i, false)),
  });
}

export type PaymentFields = {
  id: string;
  organizationId: string;
  status: "pending" | "paid" | "failed";
  amount: number;
  planName: string;
  updatedAt: number;
};

export function paymentAttemptEvent(
  type: "paymentAttempt.created" | "paymentAttempt.updated",
  p: PaymentFields,
): ClerkEvent {
  const money = {
    amount: p.amount,
    amount_formatted: (p.amount / 100).toFixed(2),
    currency: "USD",
    currency_symbol: "$",
  };
  return clerkEvent(type, {
    id: p.id,
    instance_id: "ins_tests",
    payment_id: p.id,
    invoice_id: "stmt_1",
    statement_id: "stmt_1",
    gateway_external_id: `pi_${p.id}`,
    status: p.status,
    created_at: p.updatedAt,
    updated_at: p.updatedAt,
    paid_at: p.status === "paid" ? p.updatedAt : null,
    failed_at: p.status === "failed" ? p.updatedAt : null,
    failed_reason:
      p.status === "failed" ? { code: "card_declined", decline_code: "insufficient_funds" } : null,
    billing_date: p.updatedAt,
    charge_type: "checkout",
    payee: {
      id: "cpayee_1",
      gateway_type: "stripe",
      gateway_external_id: "acct_1",
      gateway_status: "active",
    },
    payer: payerJson(p.organizationId),
    totals: {
      subtotal: money,
      tax_total: { ...money, amount: 0, amount_formatted: "0.00" },
      grand_total: money,
    },
    payment_source: {
      id: "cpm_1",
      gateway: "stripe",
      gateway_external_id: "pm_1",
      gateway_external_account_id: "acct_1",
      payment_method: "card",
      status: "active",
      card_type: "visa",
      last4: "4242",
    },
    subscription_items: [
      {
        id: "csubi_1",
        object: "commerce_subscription_item",
        status: "active",
        created_at: p.updatedAt,
        updated_at: p.updatedAt,
        period_start: p.updatedAt,
        period_end: p.updatedAt + 30 * 86_400_000,
        interval: "month",
        plan_id: "cplan_team",
        plan: {
          id: "cplan_team",
          slug: "team",
          name: p.planName,
          is_recurring: true,
          amount: p.amount,
          currency: "USD",
        },
        payer: payerJson(p.organizationId),
        subscription_id: "csub_1",
      },
    ],
  });
}

export function newSvixId(): string {
  return `msg_${randomUUID().replaceAll("-", "")}`;
}

export type DeliveryOptions = {
  svixId?: string;
  // When Svix signed it (default: now).
  signedAt?: Date;
  secret?: string;
};

export function signedHeaders(body: string, options: DeliveryOptions = {}) {
  const svixId = options.svixId ?? newSvixId();
  const signedAt = options.signedAt ?? new Date();
  return {
    "content-type": "application/json",
    "svix-id": svixId,
    "svix-timestamp": String(Math.floor(signedAt.getTime() / 1000)),
    "svix-signature": new Webhook(options.secret ?? TEST_WEBHOOK_SECRET).sign(
      svixId,
      signedAt,
      body,
    ),
  };
}

// POSTs the event as Svix delivers it: the exact JSON bytes that were signed.
export async function deliver(
  url: string,
  event: ClerkEvent,
  options: DeliveryOptions = {},
): Promise<Response> {
  const body = JSON.stringify(event);
  return fetch(url, { method: "POST", headers: signedHeaders(body, options), body });
}
