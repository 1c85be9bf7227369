"use client";

import { useRouter } from "next/navigation";
import { useEffect } from "react";
import { organizationVersionAction } from "./actions";

const EVERY_MS = 3_000;

// Keeps the organization's pages current without a manual reload: a change made in Clerk's
// <OrganizationProfile/> (a role, a removal) reaches the database by webhook a moment later, and
// another tab or an API key can change projects. While the page is visible it asks the server for
// the organization's version every few seconds (one small query) and re-renders the page's server
// components when it changed.
export function LiveRefresh({ slug }: { slug: string }) {
  const router = useRouter();
  useEffect(() => {
    let known: string | null = null;
    let busy = false;
    const check = async () => {
      if (busy || document.visibilityState !== "visible") return;
      busy = true;
      try {
        const version = await organizationVersionAction(slug);
        if (version !== null && known !== null && version !== known) router.refresh();
        known = version ?? known;
      } catch {
        // A failed check (offline, a deploy) is tried again on the next tick.
      } finally {
        busy = false;
      }
    };
    void check();
    const timer = setInterval(() => void check(), EVERY_MS);
    document.addEventListener("visibilitychange", check);
    return () => {
      clearInterval(timer);
      document.removeEventListener("visibilitychange", check);
    };
  }, [router, slug]);
  return null;
}
