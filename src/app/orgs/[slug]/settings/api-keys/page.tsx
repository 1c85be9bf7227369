import Link from "next/link";
import { keyOwnerFor } from "@/api-keys/key-owner";
import { ApiKeysManager } from "@/components/api-keys/api-keys-manager";

export const metadata = { title: "Organization API keys" };

export default async function OrganizationApiKeysPage({
  params,
}: {
  params: Promise<{ slug: string }>;
}) {
  const { slug } = await params;
  const target = { kind: "organization", slug } as const;
  const access = await keyOwnerFor(target);
  return (
    <div className="flex flex-col gap-6">
      {access.ok ? (
        <ApiKeysManager
          target={target}
          owner={access.owner}
          heading="Organization API keys"
          intro="Keys that act for this organization, not for any one person: its projects and its members, as their scopes allow."
        />
      ) : (
        <section className="rounded-lg border border-slate-200 bg-white p-6">
          <h1 className="text-2xl font-semibold">Organization API keys</h1>
          <p className="mt-2 text-slate-600">{access.message}</p>
        </section>
      )}
      <p className="text-sm text-slate-600">
        <Link prefetch={false} href="/settings/api-keys" className="text-brand-700 underline">
          Your personal API keys
        </Link>
      </p>
    </div>
  );
}
