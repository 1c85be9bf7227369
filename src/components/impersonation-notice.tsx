import { SignOutButton } from "@clerk/nextjs";
import { database } from "@/db/client";
import { userDisplayNames } from "@/members/members";

// Shown above the header while someone is impersonating the signed-in user (a session from a Clerk
// actor token, whose `act` claim names them): who is acting as whom, that what they do is recorded
// so, and a way out. Signing out ends the impersonation session only; the impersonator signs in
// again as themselves.
export async function ImpersonationNotice({
  userId,
  impersonatorId,
}: {
  userId: string;
  impersonatorId: string;
}) {
  // Names as the synced users know them; ids if the database cannot say (the notice must show).
  const names = await userDisplayNames(database().db, [impersonatorId, userId]).catch(
    () => new Map<string, string>(),
  );
  return (
    <div
      role="status"
      className="border-b border-amber-300 bg-amber-50 text-sm text-amber-900"
      data-testid="impersonation-notice"
    >
      <div className="mx-auto flex max-w-5xl flex-wrap items-center justify-between gap-3 px-4 py-2">
        <p>
          <strong>{names.get(impersonatorId) ?? impersonatorId}</strong> is signed in as{" "}
          <strong>{names.get(userId) ?? userId}</strong>. What you do here is recorded as theirs,
          impersonated by you.
        </p>
        <SignOutButton redirectUrl="/sign-in">
          <button type="button" className="font-medium underline underline-offset-2">
            End impersonation
          </button>
        </SignOutButton>
      </div>
    </div>
  );
}
