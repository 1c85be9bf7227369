"use server";

import { auth } from "@clerk/nextjs/server";
import { revalidatePath } from "next/cache";
import { userAuditSource } from "@/audit/audit-source";
import {
  type ReverificationRequired,
  refusedWhileImpersonating,
  requireReverification,
} from "@/auth/authorize";
import { database } from "@/db/client";
import { setDisconnected } from "@/oauth-connections/connections";

// Disconnects (or reconnects) one of the signed-in user's applications: only their own (the user
// is read from the session, never from the form), recorded in the audit log as the user's change.
// Reconnecting gives the application its access back: it needs a recently verified session
// (src/auth/authorize.ts).
export async function setAppConnectionAction(
  clientId: string,
  disconnected: boolean,
): Promise<{ ok: boolean; message: string } | ReverificationRequired> {
  const { userId } = await auth();
  if (!userId) return { ok: false, message: "Sign in again to change your connected apps." };
  const unknownApp = { ok: false, message: "That application is not connected to your account." };
  // The arguments are whatever the action's caller posted.
  if (typeof clientId !== "string" || typeof disconnected !== "boolean") return unknownApp;
  if (!disconnected) {
    const refused = await refusedWhileImpersonating("oauth_app.reconnect");
    if (refused) return { ok: false, message: refused };
    const stale = await requireReverification("oauth_app.reconnect");
    if (stale) return stale;
  }
  const row = await setDisconnected(database().db, await userAuditSource(userId), {
    userId,
    clientId,
    disconnected,
  });
  revalidatePath("/settings/connected-apps");
  if (!row) return unknownApp;
  return {
    ok: true,
    message: disconnected ? `Disconnected “${row.appName}”.` : `Reconnected “${row.appName}”.`,
  };
}
