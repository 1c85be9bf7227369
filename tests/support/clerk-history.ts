import {
  type ClerkEvent,
  deletedEvent,
  membershipEvent,
  type OrganizationFields,
  organizationEvent,
  sessionCreatedEvent,
  type UserFields,
  userEvent,
} from "./clerk-webhooks";

// A small model of Clerk for property tests: replays operations on users, organizations and
// memberships the way Clerk would, records the webhook events Clerk sends for them (each with its
// own svix-id), and knows the final state the database should end up in.

export type Operation =
  | { op: "createUser"; user: number }
  | { op: "updateUser"; user: number }
  | { op: "deleteUser"; user: number }
  | { op: "signIn"; user: number }
  | { op: "createOrganization"; org: number }
  | { op: "updateOrganization"; org: number }
  | { op: "deleteOrganization"; org: number }
  | { op: "join"; org: number; user: number; admin: boolean }
  | { op: "changeRole"; org: number; user: number }
  | { op: "leave"; org: number; user: number };

export type HistoryEvent = { svixId: string; event: ClerkEvent };

export type ExpectedUser = {
  id: string;
  email: string | null;
  first_name: string | null;
  last_name: string | null;
  last_sign_in_at: number | null;
  deleted: boolean;
};
export type ExpectedOrganization = {
  id: string;
  name: string | null;
  slug: string | null;
  deleted: boolean;
};
export type ExpectedMembership = {
  id: string;
  organization_id: string;
  user_id: string;
  role: string | null;
  deleted: boolean;
};

export type History = {
  events: HistoryEvent[];
  users: ExpectedUser[];
  organizations: ExpectedOrganization[];
  memberships: ExpectedMembership[];
};

type Membership = { id: string; role: string; createdAt: number; updatedAt: number };

// `cascadeEvents`: whether deleting a user or an organization also sends one
// organizationMembership.deleted per membership (the emulator does; the sync must not depend on it).
export function simulateClerk(
  prefix: string,
  operations: Operation[],
  cascadeEvents: boolean,
): History {
  let clock = 1_700_000_000_000;
  let sequence = 0;
  const events: HistoryEvent[] = [];
  const users = new Map<number, UserFields & { deleted: boolean }>();
  const orgs = new Map<number, OrganizationFields & { deleted: boolean }>();
  // The latest membership of each (org, user) pair, live or not; `live` holds the live ones.
  const latest = new Map<string, Membership & { org: number; user: number }>();
  const live = new Set<string>();

  const emit = (event: ClerkEvent) => {
    sequence += 1;
    events.push({ svixId: `msg_${prefix}_${sequence}`, event });
  };
  const pair = (org: number, user: number) => `${org}/${user}`;
  const membershipFields = (key: string) => {
    const m = latest.get(key);
    const org = m && orgs.get(m.org);
    const user = m && users.get(m.user);
    if (!m || !org || !user) throw new Error(`no membership ${key}`);
    return {
      id: m.id,
      organization: org,
      user: { id: user.id, firstName: user.firstName ?? null, lastName: user.lastName ?? null },
      role: m.role,
      createdAt: m.createdAt,
      updatedAt: m.updatedAt,
    };
  };
  const endMemberships = (match: (m: { org: number; user: number }) => boolean) => {
    for (const key of [...live]) {
      const m = latest.get(key);
      if (!m || !match(m)) continue;
      if (cascadeEvents)
        emit(membershipEvent("organizationMembership.deleted", membershipFields(key)));
      live.delete(key);
    }
  };

  for (const o of operations) {
    clock += 1_000;
    const user = "user" in o ? users.get(o.user) : undefined;
    const org = "org" in o ? orgs.get(o.org) : undefined;
    const userLive = user !== undefined && !user.deleted;
    const orgLive = org !== undefined && !org.deleted;
    switch (o.op) {
      case "createUser": {
        if (user) break; // Clerk never reuses an id.
        const id = `user_${prefix}_${o.user}`;
        const created = {
          id,
          email: `${id}@example.com`,
          firstName: "First",
          lastName: `Last ${clock}`,
          lastSignInAt: null,
          createdAt: clock,
          updatedAt: clock,
          deleted: false,
        };
        users.set(o.user, created);
        emit(userEvent("user.created", created));
        break;
      }
      case "updateUser":
        if (!user || !userLive) break;
        Object.assign(user, {
          email: `${user.id}.${clock}@example.com`,
          firstName: `First ${clock}`,
          updatedAt: clock,
        });
        emit(userEvent("user.updated", user));
        break;
      case "deleteUser":
        if (!user || !userLive) break;
        endMemberships((m) => m.user === o.user);
        user.deleted = true;
        emit(deletedEvent("user.deleted", user.id));
        break;
      case "signIn":
        if (!user || !userLive) break;
        user.lastSignInAt = clock;
        emit(sessionCreatedEvent(user, clock));
        break;
      case "createOrganization": {
        if (org) break;
        const id = `org_${prefix}_${o.org}`;
        const created = { id, name: `Org ${clock}`, slug: id, createdAt: clock, updatedAt: clock };
        orgs.set(o.org, { ...created, deleted: false });
        emit(organizationEvent("organization.created", created));
        break;
      }
      case "updateOrganization":
        if (!org || !orgLive) break;
        Object.assign(org, { name: `Org ${clock}`, slug: `${org.id}-${clock}`, updatedAt: clock });
        emit(organizationEvent("organization.updated", org));
        break;
      case "deleteOrganization":
        if (!org || !orgLive) break;
        endMemberships((m) => m.org === o.org);
        org.deleted = true;
        emit(deletedEvent("organization.deleted", org.id));
        break;
      case "join": {
        const key = pair(o.org, o.user);
        if (!userLive || !orgLive || live.has(key)) break;
        latest.set(key, {
          id: `orgmem_${prefix}_${clock}`,
          role: o.admin ? "org:admin" : "org:member",
          createdAt: clock,
          updatedAt: clock,
          org: o.org,
          user: o.user,
        });
        live.add(key);
        emit(membershipEvent("organizationMembership.created", membershipFields(key)));
        break;
      }
      case "changeRole": {
        const key = pair(o.org, o.user);
        const m = latest.get(key);
        if (!m || !live.has(key)) break;
        m.role = m.role === "org:admin" ? "org:member" : "org:admin";
        m.updatedAt = clock;
        emit(membershipEvent("organizationMembership.updated", membershipFields(key)));
        break;
      }
      case "leave": {
        const key = pair(o.org, o.user);
        if (!live.has(key)) break;
        emit(membershipEvent("organizationMembership.deleted", membershipFields(key)));
        live.delete(key);
        break;
      }
    }
  }

  return {
    events,
    users: [...users.values()].map((u) => ({
      id: u.id,
      email: u.deleted ? null : (u.email ?? null),
      first_name: u.deleted ? null : (u.firstName ?? null),
      last_name: u.deleted ? null : (u.lastName ?? null),
      last_sign_in_at: u.deleted ? null : (u.lastSignInAt ?? null),
      deleted: u.deleted,
    })),
    organizations: [...orgs.values()].map((o) => ({
      id: o.id,
      name: o.deleted ? null : o.name,
      slug: o.deleted ? null : o.slug,
      deleted: o.deleted,
    })),
    memberships: [...latest.entries()].map(([key, m]) => ({
      id: m.id,
      organization_id: orgs.get(m.org)?.id ?? "",
      user_id: users.get(m.user)?.id ?? "",
      role: live.has(key) ? m.role : null,
      deleted: !live.has(key),
    })),
  };
}
