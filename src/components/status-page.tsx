import Link from "next/link";
import type { ReactNode } from "react";
import { PRIMARY_BUTTON } from "@/components/button-styles";

// The body of a page that cannot show what was asked for (not found, failed): what happened in
// words, and the ways back.
export function StatusPage({
  code,
  title,
  children,
  links,
}: {
  code: string;
  title: string;
  children: ReactNode;
  links: { href: string; label: string }[];
}) {
  return (
    <section className="mx-auto flex max-w-xl flex-col gap-3 py-10">
      <p className="text-sm font-medium text-brand-700">{code}</p>
      <h1 className="text-2xl font-semibold">{title}</h1>
      <div className="text-slate-600">{children}</div>
      <ul className="mt-2 flex flex-wrap gap-3">
        {links.map((l, i) => (
          <li key={l.href}>
            <Link
              prefetch={false}
              href={l.href}
              className={
                i === 0
                  ? `inline-block ${PRIMARY_BUTTON}`
                  : "inline-block rounded-md px-4 py-2 font-medium text-brand-700 hover:bg-brand-50"
              }
            >
              {l.label}
            </Link>
          </li>
        ))}
      </ul>
    </section>
  );
}
