import type { Core } from "../core";
import {
  accessTokensOf,
  disconnectExternalAccount,
  externalAccountOf,
} from "../domain/external-accounts";
import { providerOfStrategy } from "../domain/social-providers";
import { getUser } from "../domain/users";
import { errors } from "../http/clerk-errors";
import type { Router } from "../http/router";
import { deletedJSON } from "../json/bapi-json";
import { ctxOf, json, paginate } from "./shared";

// A user's social accounts through the Backend API: the provider's access tokens (what
// `clerkClient().users.getUserOauthAccessToken()` reads) and removing an account.
export function registerExternalAccountRoutes(router: Router, core: Core) {
  router
    .add("GET", "/v1/users/:id/oauth_access_tokens/:provider", (req, p) => {
      const user = getUser(core, p.id as string);
      const provider = providerOfStrategy(p.provider as string);
      if (!provider) {
        throw errors.paramInvalid("provider", "must be oauth_<provider> of a social connection");
      }
      const tokens = accessTokensOf(core, user, provider).map((a) => ({
        object: "oauth_access_token",
        external_account_id: a.id,
        provider_user_id: a.identity?.providerUserId ?? "",
        token: a.accessToken ?? "",
        expires_at: a.accessTokenExpiresAt,
        provider: `oauth_${a.provider}`,
        public_metadata: {},
        label: null,
        scopes: a.identity?.approvedScopes.split(" ") ?? [],
      }));
      // `paginated=true` (what the SDK sends) wraps the list as other lists are.
      if (req.query.get("paginated") !== "true") return json(tokens);
      const page = paginate(tokens, req.query);
      return json({ data: page.items, total_count: page.totalCount });
    })
    .add("DELETE", "/v1/users/:id/external_accounts/:accountId", (req, p) => {
      const user = getUser(core, p.id as string);
      const account = externalAccountOf(user, p.accountId as string);
      disconnectExternalAccount(ctxOf(core, req), user, account.id);
      return json(deletedJSON("external_account", account.id));
    });
}
