import type { SocialProvider } from "../../../clerk/instance-settings";
import type { Core, Ctx } from "../core";
import { errors } from "../http/clerk-errors";
import { randomBase62 } from "../store/ids";
import type { OAuthFlowRecord, ProviderIdentity } from "../store/records";
import { activeSessionsOf } from "./dev-browsers";
import { externalAccountOf, failVerification, finishConnecting } from "./external-accounts";
import { signInWithIdentity } from "./sign-ins";
import { signUpWithIdentity } from "./sign-ups";
import { providerName } from "./social-providers";
import { getUser, touchUser } from "./users";

// The two halves of an OAuth flow after the redirect: the stand-in provider page issues a code
// for the identity someone picks (or an error when they cancel), and the Frontend API's callback
// exchanges it, finishes the sign-in, sign-up or connection, and says where the browser goes.

// A flow the provider page may still act on; anything else is a 400, as a provider answers a
// request it did not issue.
export function pendingFlow(core: Core, state: string | null, provider?: SocialProvider) {
  const flow = state ? core.store.state.oauthFlows[state] : undefined;
  if (!flow || flow.expiresAt <= core.now() || (provider && flow.provider !== provider)) {
    throw errors.paramInvalid("state", "is unknown or has expired: start signing in again", 400);
  }
  return flow;
}

// The provider page's answer: back to the callback with a code for `identity`, or with
// `error=access_denied` (null identity: the person cancelled), as a provider redirects.
export function answerFlow(core: Core, flow: OAuthFlowRecord, identity: ProviderIdentity | null) {
  const callback = new URL(flow.callbackUrl);
  callback.searchParams.set("state", flow.id);
  if (identity) {
    flow.code = randomBase62(32);
    flow.identity = identity;
    core.store.save();
    callback.searchParams.set("code", flow.code);
    callback.searchParams.set("scope", flow.scopes);
  } else {
    callback.searchParams.set("error", "access_denied");
  }
  return callback.toString();
}

const accessDenied = (provider: SocialProvider) => ({
  code: "oauth_access_denied",
  message: "Access denied",
  longMessage: `You did not grant access to your ${providerName(provider)} account.`,
});

// GET /v1/oauth_callback: the flow is used up either way; the identity counts only with the code
// the provider page issued for it.
export async function finishFlow(
  ctx: Ctx,
  params: { state: string | null; code: string | null; error: string | null },
): Promise<string> {
  const { core } = ctx;
  const flow = pendingFlow(core, params.state);
  core.store.remove("oauthFlows", flow.id);
  const identity =
    !params.error && flow.code !== null && params.code === flow.code ? flow.identity : null;
  const target = await applyToTarget(ctx, flow, identity);
  return withDevBrowser(core, flow, target);
}

async function applyToTarget(
  ctx: Ctx,
  flow: OAuthFlowRecord,
  identity: ProviderIdentity | null,
): Promise<string> {
  const { core } = ctx;
  const client = flow.clientId ? core.store.state.clients[flow.clientId] : undefined;
  const failure = accessDenied(flow.provider);
  if (flow.purpose === "connect") {
    const user = getUser(core, flow.targetId);
    if (identity) {
      finishConnecting(ctx, user.id, flow.externalAccountId as string, identity);
    } else {
      const account = externalAccountOf(user, flow.externalAccountId as string);
      account.verification = failVerification(account.verification, failure);
      touchUser(ctx, user, { externalAccounts: [...(user.externalAccounts ?? [])] });
    }
    return flow.redirectUrl;
  }
  if (!client) return flow.redirectUrl;
  const complete = flow.actionCompleteRedirectUrl ?? flow.redirectUrl;
  if (flow.purpose === "sign_in") {
    const signIn = core.store.state.signIns[flow.targetId];
    if (!signIn || client.signInId !== signIn.id) return flow.redirectUrl;
    if (!identity) {
      signIn.firstFactorVerification =
        signIn.firstFactorVerification && failVerification(signIn.firstFactorVerification, failure);
      core.store.save();
      return flow.redirectUrl;
    }
    const done = signInWithIdentity(ctx, client, signIn, identity);
    if (done.status !== "complete") return flow.redirectUrl;
    // Reported on the client until its session ends, for the page the browser lands on.
    client.signInId = done.id;
    return complete;
  }
  const signUp = core.store.state.signUps[flow.targetId];
  if (!signUp || client.signUpId !== signUp.id || !signUp.externalAccountVerification) {
    return flow.redirectUrl;
  }
  if (!identity) {
    signUp.externalAccountVerification = failVerification(
      signUp.externalAccountVerification,
      failure,
    );
    core.store.save();
    return flow.redirectUrl;
  }
  const done = await signUpWithIdentity(ctx, client, signUp, identity);
  if (done.status !== "complete") return flow.redirectUrl;
  client.signUpId = done.id;
  return complete;
}

// A development instance keeps the browser's dev browser in the URL it sends the browser back to
// (URL-based session syncing): the app's middleware then syncs the session through the handshake,
// so a page that needs the new session has it at once.
function withDevBrowser(core: Core, flow: OAuthFlowRecord, target: string): string {
  const client = flow.clientId ? core.store.state.clients[flow.clientId] : undefined;
  const url = new URL(target);
  if (client?.devBrowserId && activeSessionsOf(core, client).length > 0) {
    url.searchParams.set("__clerk_db_jwt", client.devBrowserId);
  }
  return url.toString();
}
