import { auth } from "@clerk/nextjs/server";
import { inArray } from "drizzle-orm";
import Link from "next/link";
import { AppHeader } from "@/components/app-header";
import { database } from "@/db/client";
import { organizations } from "@/db/schema";
import { listConnections } from "@/oauth-connections/connections";
import { DisconnectAppButton, ReconnectAppButton } from "./disconnect-app-button";

export const metadata = { title: "Connected apps" };

const when = (d: Date) =>
  d.toLocaleString("en", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });

// The applications (AI assistants, integrations) the user connected through Clerk's consent
// screen, as this app has seen them act, and a way to disconnect each. Clerk's APIs keep no
// per-user list of grants; see src/oauth-connections/connections.ts.
export default async function ConnectedAppsPage() {
  const { userId, orgSlug } = await auth();
  if (!userId) return null;
  const db = database().db;
  const connections = await listConnections(db, userId);
  const orgIds = [
    ...new Set(connections.flatMap((c) => (c.organizationId ? [c.organizationId] : []))),
  ];
  const orgNames = new Map(
    orgIds.length === 0
      ? []
      : (
          await db
            .select({ id: organizations.id, name: organizations.name })
            .from(organizations)
            .where(inArray(organizations.id, orgIds))
        ).map((o) => [o.id, o.name]),
  );
  return (
    <>
      <AppHeader orgSlug={orgSlug ?? undefined} />
      <main className="mx-auto flex max-w-5xl flex-col gap-6 px-4 py-8">
        <header>
          <h1 className="text-2xl font-semibold">Connected apps</h1>
          <p className="mt-1 text-sm text-slate-600">
            Applications you allowed to act for you, such as AI assistants over MCP. Each acts only
            with the access you granted, in the organization you chose, and never beyond your own
            role there. A disconnected application is refused here until you reconnect it, even if
            you consent to it again.
          </p>
        </header>
        {connections.length === 0 ? (
          <p className="text-sm text-slate-600">No application has used your account yet.</p>
        ) : (
          <table className="w-full text-left text-sm">
            <thead className="text-slate-500">
              <tr>
                <th className="py-2 pr-4 font-medium">Application</th>
                <th className="py-2 pr-4 font-medium">Acts in</th>
                <th className="py-2 pr-4 font-medium">Access</th>
                <th className="py-2 pr-4 font-medium">Last used</th>
                <th className="py-2 font-medium">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {connections.map((c) => {
                return (
                  <tr key={c.clientId} className="border-t border-slate-200 align-top">
                    <td className="py-3 pr-4 font-medium">{c.appName}</td>
                    <td className="py-3 pr-4">
                      {c.organizationId
                        ? (orgNames.get(c.organizationId) ?? c.organizationId)
                        : "Your personal workspace"}
                    </td>
                    <td className="py-3 pr-4 font-mono text-xs">
                      {c.scopes.filter((s) => s !== "user:org:read").join(" ")}
                    </td>
                    <td className="py-3 pr-4">{when(c.lastUsedAt)}</td>
                    <td className="py-3">
                      {c.revokedAt ? (
                        <div className="flex flex-wrap items-center gap-2">
                          <span className="text-slate-500">Disconnected {when(c.revokedAt)}</span>
                          <ReconnectAppButton clientId={c.clientId} name={c.appName} />
                        </div>
                      ) : (
                        <DisconnectAppButton clientId={c.clientId} name={c.appName} />
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
        <p className="text-sm text-slate-600">
          <Link prefetch={false} href="/settings" className="text-brand-700 underline">
            Account settings
          </Link>
        </p>
      </main>
    </>
  );
}
