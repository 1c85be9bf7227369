import Link from "next/link";
import { PRIMARY_BUTTON } from "@/components/button-styles";
import { BILLING_PLANS } from "../../../clerk/billing-plans";

// What a page shows where the organization's plan stops someone: what is missing (a 403
// problem's `detail`) and the plans that unlock it (its `plans`), with the way to the Billing page.
// Only billing admins can upgrade there; the page tells everyone else whom to ask.
export function UpgradePrompt({
  slug,
  title,
  detail,
  plans,
}: {
  slug: string;
  title: string;
  detail: string;
  plans: string[];
}) {
  const names = plans.map(
    (key) => BILLING_PLANS.organization_plans.find((p) => p.key === key)?.name ?? key,
  );
  return (
    <section
      aria-label={title}
      className="flex flex-col gap-2 rounded-lg border border-amber-300 bg-amber-50 p-4"
    >
      <h2 className="font-semibold text-amber-950">{title}</h2>
      <p className="text-sm text-amber-950">{detail}</p>
      {names.length > 0 && (
        <p>
          <Link
            prefetch={false}
            href={`/orgs/${slug}/billing`}
            className={`inline-block ${PRIMARY_BUTTON}`}
          >
            {`Upgrade to ${names.join(" or ")}`}
          </Link>
        </p>
      )}
    </section>
  );
}
