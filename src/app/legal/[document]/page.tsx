import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";

// The app's Terms of Service and Privacy Policy: where <SignUp/>'s consent checkbox links when the
// instance asks for consent (clerk/instance-settings.json `requirements.legal_consent`; with real
// Clerk, the Dashboard's Compliance > Legal URLs). What they say is yours to write: these are the
// places, not the text.
const DOCUMENTS = {
  terms: {
    title: "Terms of Service",
    body: "The terms on which you may use Acme Projects: who may sign up, what you may and may not do with the service, what we owe you and what we do not, and how either of us may end the agreement.",
  },
  privacy: {
    title: "Privacy Policy",
    body: "What Acme Projects records about you (your account, the organizations you belong to, what you change in them and from where), why, for how long, who else processes it (Clerk, for sign-in and billing), and how to see, export or delete it.",
  },
} as const;

type Params = { params: Promise<{ document: string }> };

const documentOf = (name: string) =>
  Object.hasOwn(DOCUMENTS, name) ? DOCUMENTS[name as keyof typeof DOCUMENTS] : null;

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  return { title: documentOf((await params).document)?.title ?? "Not found" };
}

export default async function LegalDocumentPage({ params }: Params) {
  const doc = documentOf((await params).document);
  if (!doc) notFound();
  return (
    <main className="mx-auto flex max-w-2xl flex-col gap-4 px-4 py-12">
      <h1 className="font-semibold text-2xl text-slate-900">{doc.title}</h1>
      <p className="text-slate-700">{doc.body}</p>
      <p className="rounded-md border border-amber-300 bg-amber-50 p-3 text-amber-900 text-sm">
        This reference app's placeholder: replace it with your own {doc.title} before anyone signs
        up.
      </p>
      <p>
        <Link href="/" prefetch={false} className="text-brand-700 underline">
          Acme Projects
        </Link>
      </p>
    </main>
  );
}
