"use client";

import { useReverification } from "@clerk/nextjs";
import { isReverificationCancelledError } from "@clerk/nextjs/errors";

// What the action answers once the user has verified: anything but Clerk's reverification error.
type Verified<R> = R extends { clerk_error: unknown } ? never : R;

// A server action that may answer Clerk's reverification error (src/auth/authorize.ts), as the
// client runs it: Clerk's modal asks the user to verify again, then the action runs once more.
// Closing the modal answers `cancelled(...args)` instead of throwing into the page.
export function useReverified<A extends unknown[], R>(
  action: (...args: A) => Promise<R>,
  cancelled: (...args: A) => Verified<R>,
): (...args: A) => Promise<Verified<R>> {
  const withReverification = useReverification(action);
  return async (...args: A) => {
    try {
      return (await withReverification(...args)) as Verified<R>;
    } catch (err) {
      if (isReverificationCancelledError(err)) return cancelled(...args);
      throw err;
    }
  };
}
