"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import {
  type CreateKeyField,
  type CreateKeyValues,
  parseCreateKeyForm,
} from "@/api-keys/create-key-input";
import { type KeyOwnerTarget, keyOwnerFor } from "@/api-keys/key-owner";
import { recordAuditEvent } from "@/audit/audit-log";
import { userAuditSource } from "@/audit/audit-source";
import {
  type ReverificationRequired,
  refusedWhileImpersonating,
  requireReverification,
} from "@/auth/authorize";
import { clerkBackendApi } from "@/auth/clerk-backend-api";
import { forgetMachineToken } from "@/auth/credential-cache";
import { database } from "@/db/client";
import { ServiceUnavailable } from "@/http/unavailable";

export type CreateKeyState =
  | { status: "idle" }
  | {
      status: "error";
      message?: string;
      fieldErrors: Partial<Record<CreateKeyField, string>>;
      values: CreateKeyValues;
    }
  | { status: "created"; key: { id: string; name: string; scopes: string[]; secret: string } };

// The owner is resolved again on the server from the target: a client cannot name a subject.
// Creating a key is sensitive: a session that last verified the user more than 10 minutes ago gets
// Clerk's reverification error instead (after the form is known to be valid, so nobody verifies
// for a form that fails), and an impersonator may not (the key would outlast the impersonation).
export async function createApiKeyAction(
  target: KeyOwnerTarget,
  _prev: CreateKeyState,
  form: FormData,
): Promise<CreateKeyState | ReverificationRequired> {
  const access = await keyOwnerFor(target);
  const parsed = parseCreateKeyForm(form);
  if (!access.ok) {
    return { status: "error", message: access.message, fieldErrors: {}, values: parsed.values };
  }
  if (!parsed.ok) {
    return { status: "error", fieldErrors: parsed.fieldErrors, values: parsed.values };
  }
  const refused = await refusedWhileImpersonating("api_key.create");
  if (refused) return { status: "error", message: refused, fieldErrors: {}, values: parsed.values };
  const stale = await requireReverification("api_key.create");
  if (stale) return stale;
  const { owner } = access;
  if (!owner.mayCreate.ok) {
    return {
      status: "error",
      message: owner.mayCreate.problem.detail,
      fieldErrors: {},
      values: parsed.values,
    };
  }
  const created = await clerkBackendApi((clerk) =>
    clerk.apiKeys.create({
      name: parsed.value.name,
      subject: owner.subject,
      scopes: parsed.value.scopes,
      secondsUntilExpiration: parsed.value.secondsUntilExpiration,
      description: parsed.value.description,
      createdBy: owner.userId,
    }),
  ).catch((err: unknown) => {
    console.error("api keys: create failed:", err instanceof Error ? err.message : err);
    return null;
  });
  if (!created?.secret) {
    return {
      status: "error",
      message: "Clerk did not create the key. Try again.",
      fieldErrors: {},
      values: parsed.values,
    };
  }
  // The key exists in Clerk only once the log shows it: a key that cannot be recorded is revoked.
  const recorded = await recordAuditEvent(database().db, await userAuditSource(owner.userId), {
    tenantId: owner.subject,
    kind: "api_key.created",
    target: { type: "api_key", id: created.id },
    changes: keyChanges(created),
  }).then(
    () => true,
    (err: unknown) => {
      console.error("api keys: audit record failed:", err instanceof Error ? err.message : err);
      return false;
    },
  );
  if (!recorded) {
    await clerkBackendApi((clerk) =>
      clerk.apiKeys.revoke({
        apiKeyId: created.id,
        revocationReason: "Not recorded in the audit log",
      }),
    ).catch(() => undefined);
    return {
      status: "error",
      message: "The key could not be recorded, so it was not created. Try again.",
      fieldErrors: {},
      values: parsed.values,
    };
  }
  revalidatePath(owner.settingsPath);
  return {
    status: "created",
    key: { id: created.id, name: created.name, scopes: created.scopes, secret: created.secret },
  };
}

// What the audit log keeps of a key: never its secret.
function keyChanges(key: { name: string; scopes: string[]; expiration: number | null }) {
  return {
    name: key.name,
    scopes: key.scopes,
    expires_at: key.expiration === null ? null : new Date(key.expiration).toISOString(),
  };
}

const KeyId = z.string().regex(/^ak_\w{1,64}$/);

// Revoking is sensitive too (see createApiKeyAction).
export async function revokeApiKeyAction(
  target: KeyOwnerTarget,
  keyId: string,
): Promise<ActionResult | ReverificationRequired> {
  const access = await keyOwnerFor(target);
  if (!access.ok) return { ok: false, message: access.message };
  const stale = await requireReverification("api_key.revoke");
  if (stale) return stale;
  const gone = { ok: false, message: "That key no longer exists." };
  if (!KeyId.safeParse(keyId).success) return gone;
  try {
    // Another owner's key id is answered like an unknown one.
    const key = await clerkBackendApi((clerk) => clerk.apiKeys.get(keyId)).catch((err) => {
      if (err instanceof ServiceUnavailable) throw err;
      return null;
    });
    if (!key || key.subject !== access.owner.subject) return gone;
    // The record commits only if Clerk revoked the key.
    const source = await userAuditSource(access.owner.userId);
    await database().db.transaction(async (tx) => {
      await recordAuditEvent(tx, source, {
        tenantId: access.owner.subject,
        kind: "api_key.revoked",
        target: { type: "api_key", id: key.id },
        changes: keyChanges(key),
      });
      await clerkBackendApi((clerk) =>
        clerk.apiKeys.revoke({ apiKeyId: keyId, revocationReason: "Revoked in settings" }),
      );
      // Every instance stops trusting what Clerk said about the key before.
      await forgetMachineToken(key.id);
    });
    revalidatePath(access.owner.settingsPath);
    return { ok: true, message: `Revoked “${key.name}”.` };
  } catch (err) {
    if (!(err instanceof ServiceUnavailable)) throw err;
    return { ok: false, message: "Clerk is not answering right now. Try again in a few seconds." };
  }
}

export type ActionResult = { ok: boolean; message: string };
