import { AppHeader } from "@/components/app-header";
import { StatusPage } from "@/components/status-page";

export const metadata = { title: "Page not found" };

// Any URL the app does not serve, in the app's own frame.
export default function NotFound() {
  return (
    <>
      <AppHeader />
      <main className="mx-auto max-w-5xl px-4 py-8">
        <StatusPage
          code="404"
          title="There is no page here"
          links={[
            { href: "/dashboard", label: "Go to your dashboard" },
            { href: "/", label: "Home" },
          ]}
        >
          <p>The address may be mistyped, or the page may have moved.</p>
        </StatusPage>
      </main>
    </>
  );
}
