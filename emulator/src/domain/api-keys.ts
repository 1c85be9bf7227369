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
  if (Object.values(core.store.state.apiKeys).some((k) => k.secretHash === secretHash)) {
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
  core.store.state.apiKeys[key.id] = key;
  core.store.save();
  return { key, secret };
}

export function listApiKeys(core: Core, subject: string, includeInvalid: boolean): ApiKeyRecord[] {
  const now = core.now();
  return Object.values(core.store.state.apiKeys)
    .filter((k) => k.subject === subject && (includeInvalid || isUsable(k, now)))
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
  delete core.store.state.apiKeys[id];
  core.store.save();
  return key;
}

// Clerk's verify is the gate: the SDK trusts its answer, so revoked, expired and unknown secrets
// are all "not found" here.
export function verifyApiKey(core: Core, secret: string): ApiKeyRecord {
  const hash = hashSecret(secret);
  const now = core.now();
  const key = Object.values(core.store.state.apiKeys).find((k) => k.secretHash === hash);
  if (!key || !isUsable(key, now)) throw errors.apiKeyNotFound();
  key.lastUsedAt = now;
  core.store.save();
  return key;
}
