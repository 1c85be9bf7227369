"use client";

import { useAuth } from "@clerk/nextjs";
import Link from "next/link";
import { MANAGE_BILLING } from "@/organizations/system-permission-names";

// The header's Billing link, for those who may change the plan. Clerk keeps system permissions
// out of session tokens, so the server cannot tell; in the browser Clerk's `has()` reads them from
// the user's membership, and the link appears once Clerk has loaded.
export function BillingNavLink({ slug, className }: { slug: string; className: string }) {
  const { isLoaded, orgSlug, has } = useAuth();
  if (!isLoaded || orgSlug !== slug || !has?.({ permission: MANAGE_BILLING })) return null;
  return (
    <Link href={`/orgs/${slug}/billing`} className={className}>
      Billing
    </Link>
  );
}
