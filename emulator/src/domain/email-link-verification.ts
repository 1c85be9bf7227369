import type { Ctx } from "../core";
import { errors } from "../http/clerk-errors";
import { verifyEmailAddressByLink } from "./email-addresses";
import { type LinkOutcome, tokenHash } from "./email-links";
import { verifySignInByLink } from "./sign-ins";
import { verifySignUpByLink } from "./sign-ups";

// GET /v1/verify?token=: opening an emailed link verifies what it was sent for, then the browser
// goes on to the app's page with Clerk's `__clerk_status` (verified, expired or failed) and, when
// a session was created, `__clerk_created_session`: what clerk-js's handleEmailLinkVerification()
// reads on that page.
export async function followEmailLink(ctx: Ctx, token: string | null): Promise<string> {
  const link = token ? ctx.core.store.state.emailLinks[tokenHash(token)] : undefined;
  if (!link) throw errors.paramInvalid("token", "is not a link this instance sent", 400);
  const outcome = await outcomeOf(ctx, link.purpose, link.targetId);
  const target = new URL(link.redirectUrl);
  target.searchParams.set("__clerk_status", outcome.status);
  if (outcome.status === "verified" && outcome.sessionId) {
    target.searchParams.set("__clerk_created_session", outcome.sessionId);
  }
  return target.toString();
}

async function outcomeOf(ctx: Ctx, purpose: string, targetId: string): Promise<LinkOutcome> {
  const { state } = ctx.core.store;
  if (purpose === "sign_in") {
    const signIn = state.signIns[targetId];
    return signIn ? verifySignInByLink(ctx, signIn) : { status: "failed" };
  }
  if (purpose === "sign_up") {
    const signUp = state.signUps[targetId];
    return signUp ? verifySignUpByLink(ctx, signUp) : { status: "failed" };
  }
  return verifyEmailAddressByLink(ctx, targetId);
}
