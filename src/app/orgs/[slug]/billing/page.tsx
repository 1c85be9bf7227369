import { isClerkAPIResponseError } from "@clerk/backend/errors";
import { PricingTable } from "@clerk/nextjs";
import { currentPlan } from "@/auth/authorize";
import { clerkBackendApi } from "@/auth/clerk-backend-api";
import { WhenClerkLoaded } from "@/components/when-clerk-loaded";
import { hasSystemPermission, MANAGE_BILLING } from "@/organizations/system-permissions";
import { BILLING_PLANS } from "../../../../../clerk/billing-plans";
import { requireActiveOrg } from "../org-access";

export const metadata = { title: "Billing" };

const day = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeZone: "UTC" });
const dollars = (cents: number) => `$${(cents / 100).toFixed(2)}`;

type Item = {
  status: string;
  planPeriod: string;
  periodStart: number;
  periodEnd: number | null;
  plan: { slug: string; name: string } | null;
};

// What a plan costs, from clerk/billing-plans.json (the prices Clerk was configured with).
function price(slug: string | undefined, period: string): string {
  const plan = BILLING_PLANS.organization_plans.find((p) => p.key === slug);
  if (!plan || plan.monthly_fee === 0) return "free";
  return period === "annual"
    ? `${dollars(plan.annual_monthly_fee)} a month, billed annually (${dollars(plan.annual_monthly_fee * 12)} a year)`
    : `${dollars(plan.monthly_fee)} a month`;
}

// The organization's plan for billing admins (Clerk's system permission org:sys_billing:manage,
// which admins have): the subscription as Clerk has it now, its seats, and Clerk's pricing table,
// whose checkout drawer changes the plan. Everyone else is told which plan the organization is on
// and whom to ask.
export default async function BillingPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const { orgId, userId, billing } = await requireActiveOrg(slug);
  const plan = currentPlan(billing);
  // One round of Backend API calls: the permission and what an admin sees, asked together.
  const [mayManage, subscription, organization, invitations] = await Promise.all([
    hasSystemPermission(orgId, userId, MANAGE_BILLING),
    // An organization Clerk bills nothing to has no subscription (404): the page says so.
    clerkBackendApi((c) => c.billing.getOrganizationBillingSubscription(orgId)).catch(
      (err: unknown) => {
        if (isClerkAPIResponseError(err)) return null;
        throw err;
      },
    ),
    clerkBackendApi((c) =>
      c.organizations.getOrganization({ organizationId: orgId, includeMembersCount: true }),
    ),
    clerkBackendApi((c) =>
      c.organizations.getOrganizationInvitationList({
        organizationId: orgId,
        status: ["pending"],
        limit: 1,
      }),
    ),
  ]);
  if (!mayManage) {
    return (
      <section className="rounded-lg border border-slate-200 bg-white p-6">
        <h1 className="text-2xl font-semibold">Billing</h1>
        <p className="mt-2 text-slate-600">
          {`This organization is on the ${plan.name} plan. Only admins can change its plan: ask one of them if it needs more.`}
        </p>
      </section>
    );
  }
  const items: Item[] = subscription?.subscriptionItems ?? [];
  const inForce = items.find((i) => ["active", "canceled", "past_due"].includes(i.status));
  const next = items.find((i) => i.status === "upcoming");
  const seats = organization.maxAllowedMemberships;
  const members = organization.membersCount ?? 0;

  return (
    <div className="flex flex-col gap-6">
      <div>
        <h1 className="text-2xl font-semibold">Billing</h1>
        <p className="text-slate-600">
          Your organization's plan decides its seats, how many projects it can have, whether it has
          the audit log and organization API keys, and its API rate limit.
        </p>
      </div>
      <section
        aria-labelledby="subscription-heading"
        className="flex flex-col gap-1 rounded-lg border border-slate-200 bg-white p-4 text-sm"
      >
        <h2 id="subscription-heading" className="text-base font-semibold">
          Current subscription
        </h2>
        {inForce ? (
          <>
            <p>
              <span className="font-medium">{`${inForce.plan?.name ?? plan.name} plan`}</span>
              {`: ${price(inForce.plan?.slug, inForce.planPeriod)}.`}
            </p>
            {inForce.status === "active" && inForce.periodEnd !== null && (
              <p>{`Renews on ${day.format(inForce.periodEnd)}.`}</p>
            )}
            {inForce.status === "canceled" && inForce.periodEnd !== null && (
              <p>{`Canceled: in force until ${day.format(inForce.periodEnd)}.`}</p>
            )}
            {inForce.status === "past_due" && (
              <p className="text-red-700">A payment is overdue: update the payment method.</p>
            )}
            {next && (
              <p>{`Then the ${next.plan?.name ?? "next"} plan from ${day.format(next.periodStart)}.`}</p>
            )}
          </>
        ) : (
          <p>{`${plan.name} plan. (Clerk has no subscription of this organization to show.)`}</p>
        )}
        <p>
          {seats > 0
            ? `Seats: ${members} of ${seats} taken by members, ${invitations.totalCount} by pending invitations.`
            : `Seats: ${members} members, no limit.`}
        </p>
        <p className="text-slate-600">
          Payment methods, statements and payments: the organization switcher → Manage → Billing.
        </p>
      </section>
      <section aria-labelledby="plans-heading" className="flex flex-col gap-2">
        <h2 id="plans-heading" className="text-base font-semibold">
          Plans
        </h2>
        <WhenClerkLoaded fallback={null}>
          <PricingTable for="organization" newSubscriptionRedirectUrl={`/orgs/${slug}/billing`} />
        </WhenClerkLoaded>
      </section>
    </div>
  );
}
