"use client";

import { useClerk } from "@clerk/nextjs";
import { type ReactNode, useCallback, useSyncExternalStore } from "react";

// Renders Clerk's components once clerk-js has loaded, as Clerk's listener API reports it, and
// their placeholder until then.
//
// Why not leave it to the components: the pinned @clerk/react's <ClerkProvider> learns that
// clerk-js is ready from a status event it subscribes to in an effect, without asking for the
// status it missed. When clerk-js finishes loading before that effect runs (a quick Frontend API, a
// slow hydration), the provider stays "loading", and a component nothing else re-renders keeps its
// placeholder: the browser tests saw the header's user menu never appear, clerk-js loaded and
// ready. `addListener` calls a late listener at once with what clerk-js holds, so this misses
// nothing, and its children mount with clerk-js loaded. While the page hydrates it renders what the
// server did (the placeholder); mounted later (another layout's header), it renders at once.
export function WhenClerkLoaded({
  children,
  fallback,
}: {
  children: ReactNode;
  fallback: ReactNode;
}) {
  const clerk = useClerk();
  const subscribe = useCallback((changed: () => void) => clerk.addListener(changed), [clerk]);
  const loaded = useSyncExternalStore(
    subscribe,
    () => clerk.loaded,
    () => false,
  );
  return loaded ? children : fallback;
}
