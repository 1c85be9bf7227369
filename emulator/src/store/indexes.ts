import type { EmulatorState } from "./records";

// The state's maps of records by id. They change only through Store.put/update/remove, which keep
// the indexes below current.
export type CollectionName = {
  [K in keyof EmulatorState]: EmulatorState[K] extends Record<string, { id: string }> ? K : never;
}[keyof EmulatorState];
export type RecordOf<C extends CollectionName> = EmulatorState[C][string];

type KeysOf<C extends CollectionName> = (record: RecordOf<C>) => readonly string[];

// "ada@Acme.test" -> "acme.test".
export const emailDomainOf = (emailAddress: string) =>
  emailAddress.slice(emailAddress.lastIndexOf("@") + 1).toLowerCase();

export const externalAccountKey = (provider: string, providerUserId: string) =>
  `${provider} ${providerUserId}`;

export const membershipPairKey = (organizationId: string, userId: string) =>
  `${organizationId} ${userId}`;

// Secondary indexes, by collection: the keys each record is found under. A lookup is one map read,
// whatever the number of records. The fields they read are readonly in records.ts, so they can
// only change through Store.update, which files the record again.
export const INDEXES = {
  users: {
    email: (u) => u.emailAddresses.map((e) => e.emailAddress.toLowerCase()),
    emailAddressId: (u) => u.emailAddresses.map((e) => e.id),
    phone: (u) => u.phoneNumbers.map((p) => p.phoneNumber),
    username: (u) => (u.username === null ? [] : [u.username.toLowerCase()]),
    phoneNumberId: (u) => u.phoneNumbers.map((p) => p.id),
    passkeyId: (u) => u.passkeys.map((p) => p.id),
    passkeyCredential: (u) => u.passkeys.flatMap((p) => (p.credentialId ? [p.credentialId] : [])),
    // "<provider> <provider user id>" of each connected social account.
    externalAccount: (u) =>
      (u.externalAccounts ?? []).flatMap((a) =>
        a.identity ? [externalAccountKey(a.provider, a.identity.providerUserId)] : [],
      ),
    // The domains of a user's verified addresses, which verified organization domains enroll.
    verifiedEmailDomain: (u) =>
      u.emailAddresses.filter((e) => e.verified).map((e) => emailDomainOf(e.emailAddress)),
  },
  organizations: { slug: (o) => [o.slug] },
  memberships: {
    organization: (m) => [m.organizationId],
    user: (m) => [m.userId],
    pair: (m) => [membershipPairKey(m.organizationId, m.userId)],
  },
  invitations: {
    organization: (i) => [i.organizationId],
    email: (i) => [i.emailAddress],
    user: (i) => (i.userId === null ? [] : [i.userId]),
  },
  signInTokens: { user: (t) => [t.userId] },
  actorTokens: { user: (t) => [t.userId] },
  organizationDomains: { organization: (d) => [d.organizationId], name: (d) => [d.name] },
  organizationSuggestions: {
    organization: (s) => [s.organizationId],
    user: (s) => [s.userId],
    domain: (s) => [s.organizationDomainId],
  },
  membershipRequests: { organization: (r) => [r.organizationId], user: (r) => [r.userId] },
  apiKeys: { secretHash: (k) => [k.secretHash], subject: (k) => [k.subject] },
  machines: {
    secret: (m) => [m.secret, ...(m.previousSecret ? [m.previousSecret.secret] : [])],
  },
  m2mTokens: { token: (t) => [t.token], subject: (t) => [t.subject] },
  oauthApplications: { clientId: (a) => [a.clientId] },
  oauthGrants: { user: (g) => [g.userId], application: (g) => [g.applicationId] },
  oauthCodes: { grant: (c) => [c.grantId] },
  oauthTokens: { token: (t) => [t.token], grant: (t) => [t.grantId] },
  sessions: { user: (s) => [s.userId] },
  clients: { devBrowser: (c) => (c.devBrowserId === null ? [] : [c.devBrowserId]) },
  billingPayers: { organization: (p) => [p.organizationId] },
  billingPaymentMethods: { payer: (m) => [m.payerId] },
  subscriptions: { payer: (s) => [s.payerId] },
  paymentAttempts: { payer: (a) => [a.payerId] },
  statements: { payer: (s) => [s.payerId] },
} satisfies { [C in CollectionName]?: Record<string, KeysOf<C>> };

export type IndexedCollection = keyof typeof INDEXES;
export type IndexName<C extends IndexedCollection> = keyof (typeof INDEXES)[C] & string;

// One index: the ids filed under each key, and the keys each id is filed under (so a record whose
// indexed fields changed leaves its old keys).
export class RecordIndex {
  private readonly idsByKey = new Map<string, Set<string>>();
  private readonly keysById = new Map<string, readonly string[]>();

  file(id: string, keys: readonly string[]): void {
    const before = this.keysById.get(id) ?? [];
    const after = [...new Set(keys)];
    for (const key of before) if (!after.includes(key)) this.drop(key, id);
    for (const key of after) {
      const ids = this.idsByKey.get(key) ?? new Set<string>();
      ids.add(id);
      this.idsByKey.set(key, ids);
    }
    this.keysById.set(id, after);
  }

  unfile(id: string): void {
    for (const key of this.keysById.get(id) ?? []) this.drop(key, id);
    this.keysById.delete(id);
  }

  // In the order the records were first filed, as Object.values() lists a collection.
  ids(key: string): string[] {
    return [...(this.idsByKey.get(key) ?? [])];
  }

  private drop(key: string, id: string): void {
    const ids = this.idsByKey.get(key);
    ids?.delete(id);
    if (ids?.size === 0) this.idsByKey.delete(key);
  }
}
