"use client";

import { createContext, type ReactNode, useCallback, useContext, useEffect, useState } from "react";

const SHOWN_MS = 6_000;

const NotifyContext = createContext<(message: string) => void>(() => {});

// Confirmations of what just happened ("Deleted “Roadmap”."), for actions whose result leaves the
// page (the row they were on is gone): one polite live region, outside whatever re-renders.
export function NoticeProvider({ children }: { children: ReactNode }) {
  const [notice, setNotice] = useState<{ message: string; at: number } | null>(null);
  const notify = useCallback((message: string) => setNotice({ message, at: Date.now() }), []);
  useEffect(() => {
    if (!notice) return;
    const timer = setTimeout(() => setNotice(null), SHOWN_MS);
    return () => clearTimeout(timer);
  }, [notice]);
  return (
    <NotifyContext.Provider value={notify}>
      {children}
      <div
        role="status"
        aria-label="Notice"
        className="pointer-events-none fixed inset-x-0 bottom-4 flex justify-center px-4"
      >
        {notice && (
          <p className="rounded-md bg-slate-900 px-4 py-2 text-sm text-white shadow-lg">
            {notice.message}
          </p>
        )}
      </div>
    </NotifyContext.Provider>
  );
}

export function useNotify() {
  return useContext(NotifyContext);
}
