import { Show, SignInButton, SignUpButton } from "@clerk/nextjs";
import Link from "next/link";
import { PRIMARY_BUTTON } from "@/components/button-styles";

const FEATURES = [
  {
    title: "Organizations first",
    body: "Every project belongs to an organization. Switch between them, invite your team, and keep each tenant's data apart.",
  },
  {
    title: "Scoped API keys",
    body: "Create personal or organization keys in settings, limited to exactly the scopes a script needs.",
  },
  {
    title: "Synced with Clerk",
    body: "Users, organizations and memberships arrive by signed webhooks and land in Postgres, in order and exactly once.",
  },
];

export default function LandingPage() {
  return (
    <main className="mx-auto flex max-w-5xl flex-col gap-16 px-4 py-16 sm:py-24">
      <section className="flex flex-col items-start gap-6">
        <p className="rounded-full bg-brand-50 px-3 py-1 text-sm font-medium text-brand-700">
          Next.js 16 · Clerk · Postgres
        </p>
        <h1 className="max-w-3xl text-4xl font-bold tracking-tight sm:text-5xl">
          Projects for teams, with organizations, roles and API keys built in.
        </h1>
        <p className="max-w-2xl text-lg text-slate-600">
          Acme Projects is a multi-tenant B2B starting point: sign in, pick an organization, manage
          its projects in the browser or through a versioned JSON API.
        </p>
        <div className="flex flex-wrap gap-3">
          <Show when="signed-out">
            {/* Forced: the buttons would otherwise send people back here (redirect_url = this page). */}
            <SignUpButton forceRedirectUrl="/onboarding">
              <button type="button" className={PRIMARY_BUTTON}>
                Create an account
              </button>
            </SignUpButton>
            <SignInButton forceRedirectUrl="/dashboard">
              <button
                type="button"
                className="rounded-md border border-slate-300 bg-white px-4 py-2 font-medium hover:bg-slate-100"
              >
                Sign in
              </button>
            </SignInButton>
          </Show>
          <Show when="signed-in">
            <Link prefetch={false} href="/dashboard" className={PRIMARY_BUTTON}>
              Open your dashboard
            </Link>
          </Show>
          <Link
            prefetch={false}
            href="/docs/api"
            className="px-2 py-2 font-medium text-brand-700 underline-offset-4 hover:underline"
          >
            API reference →
          </Link>
        </div>
      </section>
      <section aria-labelledby="features" className="grid gap-6 sm:grid-cols-3">
        <h2 id="features" className="sr-only">
          Features
        </h2>
        {FEATURES.map((f) => (
          <article key={f.title} className="rounded-lg border border-slate-200 bg-white p-5">
            <h3 className="font-semibold">{f.title}</h3>
            <p className="mt-2 text-sm text-slate-600">{f.body}</p>
          </article>
        ))}
      </section>
    </main>
  );
}
