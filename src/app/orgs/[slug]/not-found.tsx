import { StatusPage } from "@/components/status-page";

export const metadata = { title: "Not available" };

// Inside the organization's frame (the header stays): an organization the user is not (or no
// longer) a member of, or a project that is not there. Which of the two is not said, so a URL
// reveals nothing about another tenant.
export default function OrgNotFound() {
  return (
    <StatusPage
      code="404"
      title="Nothing to show here"
      links={[
        { href: "/dashboard", label: "Go to your dashboard" },
        { href: "/onboarding", label: "Your organizations" },
      ]}
    >
      <p>
        This page does not exist, or your account has no access to it: an organization you are not a
        member of (or were removed from), or a project that was deleted.
      </p>
    </StatusPage>
  );
}
