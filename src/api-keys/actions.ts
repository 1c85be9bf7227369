"use server";

import { clerkClient } from "@clerk/nextjs/server";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import {
  type CreateKeyField,
  type CreateKeyValues,
  parseCreateKeyForm,
} from "@/api-keys/create-key-input";
import { type KeyOwnerTarget, keyOwnerFor } from "@/api-keys/key-owner";

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
export async function createApiKeyAction(
  target: KeyOwnerTarget,
  _prev: CreateKeyState,
  form: FormData,
): Promise<CreateKeyState> {
  const access = await keyOwnerFor(target);
  const parsed = parseCreateKeyForm(form);
  if (!access.ok) {
    return { status: "error", message: access.message, fieldErrors: {}, values: parsed.values };
  }
  if (!parsed.ok) {
    return { status: "error", fieldErrors: parsed.fieldErrors, values: parsed.values };
  }
  const { owner } = access;
  const client = await clerkClient();
  const created = await client.apiKeys
    .create({
      name: parsed.value.name,
      subject: owner.subject,
      scopes: parsed.value.scopes,
      secondsUntilExpiration: parsed.value.secondsUntilExpiration,
      description: parsed.value.description,
      createdBy: owner.userId,
    })
    .catch((err: unknown) => {
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
  revalidatePath(owner.settingsPath);
  return {
    status: "created",
    key: { id: created.id, name: created.name, scopes: created.scopes, secret: created.secret },
  };
}

const KeyId = z.string().regex(/^ak_\w{1,64}$/);

export async function revokeApiKeyAction(
  target: KeyOwnerTarget,
  keyId: string,
): Promise<{ ok: boolean; message: string }> {
  const access = await keyOwnerFor(target);
  if (!access.ok) return { ok: false, message: access.message };
  const gone = { ok: false, message: "That key no longer exists." };
  if (!KeyId.safeParse(keyId).success) return gone;
  const client = await clerkClient();
  // Another owner's key id is answered like an unknown one.
  const key = await client.apiKeys.get(keyId).catch(() => null);
  if (!key || key.subject !== access.owner.subject) return gone;
  await client.apiKeys.revoke({ apiKeyId: keyId, revocationReason: "Revoked in settings" });
  revalidatePath(access.owner.settingsPath);
  return { ok: true, message: `Revoked “${key.name}”.` };
}
