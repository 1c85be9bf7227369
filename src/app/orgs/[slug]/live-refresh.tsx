"use client";

import { useRouter } from "next/navigation";
import { useEffect } from "react";
import { organizationVersionAction } from "./actions";

const EVERY_MS = 3_000;

// Keeps the organization's pages current without a manual reload: a change made in Clerk's
// <OrganizationProfile/> (a role, a removal) reaches the database by webhook a moment later, and
// another tab or an API key can change projects. While the page is visible it asks the server for
// the organization's version every few seconds (one small query) and re-renders the page's server
// components when it changed. It starts from the version the server rendered the page with
// (`version`), so opening or switching to a page costs no extra request.
export function LiveRefresh({ slug, version }: { slug: string; version: string | null }) {
  const router = useRouter();
  useEffect(() => {
    let known = version;
    let busy = false;
    const check = async () => {
      if (busy || document.visibilityState !== "visible") return;
      busy = true;
      try {
        const current = await organizationVersionAction(slug);
        if (current !== null && known !== null && current !== known) router.refresh();
        known = current ?? known;
      } catch {
        // A failed check (offline, a deploy) is tried again on the next tick.
      } finally {
        busy = false;
      }
    };
    const timer = setInterval(() => void check(), EVERY_MS);
    document.addEventListener("visibilitychange", check);
    return () => {
      clearInterval(timer);
      document.removeEventListener("visibilitychange", check);
    };
  }, [router, slug, version]);
  return null;
}
