import Link from "next/link";
import type { KeyOwner, KeyOwnerTarget } from "@/api-keys/key-owner";
import { clerkBackendApi } from "@/auth/clerk-backend-api";
import { UpgradePrompt } from "@/components/billing/upgrade-prompt";
import { CreateApiKeyForm } from "./create-api-key-form";
import { RevokeApiKeyButton } from "./revoke-api-key-button";

const day = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeZone: "UTC" });
const exact = new Intl.DateTimeFormat("en", {
  dateStyle: "full",
  timeStyle: "long",
  timeZone: "UTC",
});

// The day in the table, the exact time on hover.
function When({ ms, never = "Never" }: { ms: number | null; never?: string }) {
  if (ms === null) return never;
  return (
    <time dateTime={new Date(ms).toISOString()} title={exact.format(ms)}>
      {day.format(ms)}
    </time>
  );
}

// One settings section for either kind of owner: the create form (which explains the scopes) and the
// owner's usable keys (Clerk leaves revoked and expired ones out of the list).
export async function ApiKeysManager({
  target,
  owner,
  heading,
  intro,
}: {
  target: KeyOwnerTarget;
  owner: KeyOwner;
  heading: string;
  intro: string;
}) {
  const { data: keys } = await clerkBackendApi((clerk) =>
    clerk.apiKeys.list({ subject: owner.subject, limit: 100 }),
  );
  return (
    <div className="flex flex-col gap-6">
      <div>
        <h1 className="text-2xl font-semibold">{heading}</h1>
        <p className="text-slate-600">{intro}</p>
        {/* The form below explains each scope; this is what it does not say. */}
        <p className="mt-2 text-sm text-slate-600">
          A key without scopes (one created elsewhere, such as the Clerk dashboard) can do nothing
          but identify itself at <code className="font-mono">GET /api/v1/me</code>. See the{" "}
          <Link prefetch={false} href="/docs/api" className="text-brand-700 underline">
            API reference
          </Link>
          .
        </p>
      </div>
      {target.kind === "organization" && !owner.mayCreate.ok ? (
        <UpgradePrompt
          slug={target.slug}
          title="Upgrade to create organization API keys"
          detail={`${owner.mayCreate.problem.detail} The keys below are kept (revoke them if you like): they answer again once the organization is on such a plan.`}
          plans={(owner.mayCreate.problem.plans as string[] | undefined) ?? []}
        />
      ) : (
        <CreateApiKeyForm target={target} />
      )}
      <section aria-labelledby="key-list-heading">
        <h2 id="key-list-heading" className="mb-2 font-semibold">
          Active keys
        </h2>
        {keys.length === 0 ? (
          <p className="rounded-lg border border-dashed border-slate-300 bg-white p-6 text-center text-sm text-slate-600">
            No keys yet.
          </p>
        ) : (
          <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
            <table className="w-full text-left text-sm">
              <thead className="border-b border-slate-200 text-slate-600">
                <tr>
                  <th scope="col" className="px-4 py-2 font-medium">
                    Name
                  </th>
                  <th scope="col" className="px-4 py-2 font-medium">
                    Scopes
                  </th>
                  <th scope="col" className="px-4 py-2 font-medium">
                    Created
                  </th>
                  <th scope="col" className="px-4 py-2 font-medium">
                    Last used
                  </th>
                  <th scope="col" className="px-4 py-2 font-medium">
                    Expires
                  </th>
                  <th scope="col" className="px-4 py-2">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-200">
                {keys.map((key) => (
                  <tr key={key.id}>
                    <td className="px-4 py-3">
                      <p className="font-medium">{key.name}</p>
                      {key.description && (
                        <p className="text-xs text-slate-600">{key.description}</p>
                      )}
                    </td>
                    <td className="px-4 py-3">
                      {key.scopes.length === 0 ? (
                        <span className="text-slate-600">None (no access)</span>
                      ) : (
                        <ul className="flex flex-wrap gap-1">
                          {key.scopes.map((scope) => (
                            <li
                              key={scope}
                              className="rounded bg-slate-100 px-1.5 py-0.5 font-mono text-xs"
                            >
                              {scope}
                            </li>
                          ))}
                        </ul>
                      )}
                    </td>
                    <td className="px-4 py-3 whitespace-nowrap">
                      <When ms={key.createdAt} />
                    </td>
                    <td className="px-4 py-3 whitespace-nowrap">
                      <When ms={key.lastUsedAt} />
                    </td>
                    <td className="px-4 py-3 whitespace-nowrap">
                      <When ms={key.expiration} />
                    </td>
                    <td className="px-4 py-3 text-right">
                      <RevokeApiKeyButton target={target} keyId={key.id} name={key.name} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
