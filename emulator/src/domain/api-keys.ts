import { createHash, randomBytes } from "node:crypto";
import type { Core, Ctx } from "../core";
import { errors } from "../http/clerk-errors";
import { randomBase62 } from "../store/ids";
import type { ApiKeyRecord, Metadata } from "../store/records";

export type CreateApiKeyInput = {
  name: string;
  subject: string;
  description?: string | null | undefined;
  scopes?: string[] | undefined;
  claims?: Metadata | null | undefined;
  createdBy?: string | null | undefined;
  secondsUntilExpiration?: number | null | undefined;
  // Seeds may fix a secret so documentation can show a working key; the API never accepts one.
  secret?: string | undefined;
};

export type UpdateApiKeyInput = {
  description?: string | null | undefined;
  scopes?: string[] | undefined;
  claims?: Metadata | null | undefined;
  secondsUntilExpiration?: number | null | undefined;
};

export const hashSecret = (secret: string) => createHash("sha256").update(secret).digest("hex");

function assertSubjectExists(core: Core, subject: string) {
  const { users, organizations } = core.store.state;
  const exists = subject.startsWith("user_") ? users[subject] : organizations[subject];
  if (!exists)
    throw errors.paramInvalid("subject", "does not name an existing user or organization", 400);
}

export function getApiKey(core: Core, id: string): ApiKeyRecord {
  const key = core.store.state.apiKeys[id];
  if (!key) throw errors.apiKeyNotFound();
  return key;
}

export function isUsable(key: ApiKeyRecord, now: number): boolean {
  return !key.revoked && (key.expiration === null || key.expiration > now);
}

export function createApiKey(
  ctx: Ctx,
  input: CreateApiKeyInput,
): { key: ApiKeyRecord; secret: string } {
  const { core } = ctx;
  assertSubjectExists(core, input.subject);
  if (input.createdBy && !core.store.state.users[input.createdBy]) {
    throw errors.paramInvalid("created_by", "does not name an existing user", 400);
  }
  const secret = input.secret ?? `ak_${randomBase62(40)}`;
  const secretHash = hashSecret(secret);
  if (core.store.lookup("apiKeys", "secretHash", secretHash).length > 0) {
    throw errors.conflict("An API key with this secret already exists.");
  }
  const now = core.now();
  const key: ApiKeyRecord = {
    id: `ak_${randomBytes(16).toString("hex")}`,
    name: input.name,
    subject: input.subject,
    description: input.description ?? null,
    scopes: [...new Set(input.scopes ?? [])],
    claims: input.claims ?? null,
    secretHash,
    revoked: false,
    revocationReason: null,
    expiration: input.secondsUntilExpiration ? now + input.secondsUntilExpiration * 1000 : null,
    createdBy: input.createdBy ?? null,
    lastUsedAt: null,
    createdAt: now,
    updatedAt: now,
  };
  core.store.put("apiKeys", key);
  return { key, secret };
}

export function listApiKeys(core: Core, subject: string, includeInvalid: boolean): ApiKeyRecord[] {
  const now = core.now();
  return core.store
    .lookup("apiKeys", "subject", subject)
    .filter((k) => includeInvalid || isUsable(k, now))
    .sort((a, b) => b.createdAt - a.createdAt);
}

export function updateApiKey(core: Core, id: string, input: UpdateApiKeyInput): ApiKeyRecord {
  const key = getApiKey(core, id);
  const now = core.now();
  if (input.description !== undefined) key.description = input.description;
  if (input.scopes !== undefined) key.scopes = [...new Set(input.scopes)];
  if (input.claims !== undefined) key.claims = input.claims;
  if (input.secondsUntilExpiration !== undefined) {
    key.expiration = input.secondsUntilExpiration
      ? now + input.secondsUntilExpiration * 1000
      : null;
  }
  key.updatedAt = Math.max(now, key.updatedAt + 1);
  core.store.save();
  return key;
}

export function revokeApiKey(core: Core, id: string, reason: string | null): ApiKeyRecord {
  const key = getApiKey(core, id);
  if (!key.revoked) {
    key.revoked = true;
    key.revocationReason = reason;
    key.updatedAt = Math.max(core.now(), key.updatedAt + 1);
    core.store.save();
  }
  return key;
}

export function deleteApiKey(core: Core, id: string): ApiKeyRecord {
  const key = getApiKey(core, id);
  core.store.remove("apiKeys", id);
  return key;
}

// A deleted user's or organization's keys go with it (no webhook: Clerk sends none for keys).
export function deleteApiKeysOf(core: Core, subject: string): void {
  for (const k of core.store.lookup("apiKeys", "subject", subject))
    core.store.remove("apiKeys", k.id);
}

// Clerk's verify is the gate: the SDK trusts its answer, so revoked, expired and unknown secrets
// are all "not found" here. The last use is bookkeeping: written lazily, not before the answer.
export function verifyApiKey(core: Core, secret: string): ApiKeyRecord {
  const now = core.now();
  const [key] = core.store.lookup("apiKeys", "secretHash", hashSecret(secret));
  if (!key || !isUsable(key, now)) throw errors.apiKeyNotFound();
  key.lastUsedAt = now;
  core.store.saveLazily();
  return key;
}
