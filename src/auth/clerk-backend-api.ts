import { clerkClient } from "@clerk/nextjs/server";
import {
  CLERK_TIMEOUT_MS,
  clerkAnswered,
  clerkUnavailable,
  mayAskClerk,
} from "@/auth/clerk-availability";
import { DeadlineExceeded, withDeadline } from "@/http/deadline";
import { isClerkUnavailable, ServiceUnavailable } from "@/http/unavailable";

// Every Backend API call the app's pages, actions and handlers make goes through here: bounded by
// Clerk's time limit, refused at once while Clerk is known to be down (one call every few seconds
// finds out whether it is back), and a Clerk that does not answer becomes a ServiceUnavailable
// (503) rather than a hang or a 500. An answer that refuses the call (4xx) is Clerk answering: it
// is thrown on as it came.

type ClerkClient = Awaited<ReturnType<typeof clerkClient>>;

export async function clerkBackendApi<T>(call: (client: ClerkClient) => Promise<T>): Promise<T> {
  if (!mayAskClerk()) throw new ServiceUnavailable("clerk", "Clerk is unavailable");
  try {
    const value = await withDeadline(call(await clerkClient()), CLERK_TIMEOUT_MS, "Clerk");
    clerkAnswered();
    return value;
  } catch (err) {
    if (err instanceof DeadlineExceeded || isClerkUnavailable(err)) {
      const reason = err instanceof Error ? err.message : String(err);
      clerkUnavailable(reason);
      throw new ServiceUnavailable("clerk", `Clerk is unavailable: ${reason}`, { cause: err });
    }
    clerkAnswered();
    throw err;
  }
}
