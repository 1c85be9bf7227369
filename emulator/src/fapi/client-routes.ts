import { z } from "zod";
import type { Core } from "../core";
import { billingPlans } from "../domain/billing";
import { createDevBrowser } from "../domain/dev-browsers";
import { offeredSettings } from "../domain/instance-settings";
import { findMembership } from "../domain/memberships";
import { parseParams } from "../domain/params";
import { endSession, markSessionActive } from "../domain/sessions";
import { errors } from "../http/clerk-errors";
import type { RequestInfo, Router } from "../http/router";
import { environmentJSON } from "../json/environment";
import { fapiSessionJSON } from "../json/fapi-json";
import { mintSessionToken, mintTemplateToken } from "../tokens/session-token";
import { appOriginOf, clientSession, type FapiCtx, fapiCtx } from "./context";
import { clientJSON, withClient } from "./envelope";

// The name Clerk's components (and the stand-in provider pages) show for the application.
export const APPLICATION_NAME = "Acme Projects";

const TouchBody = z.object({
  active_organization_id: z.string().optional(),
  intent: z.string().optional(),
});
const TokenBody = z.object({ organization_id: z.string().optional() });

// Not sent: leave it as it is; "": the personal workspace; else one of the user's organizations.
function organizationFor(
  core: Core,
  userId: string,
  organizationId: string | undefined,
): string | null | undefined {
  if (organizationId === undefined) return undefined;
  if (organizationId === "") return null;
  if (!findMembership(core, organizationId, userId)) {
    throw errors.notAllowed("You are not a member of this organization.");
  }
  return organizationId;
}

// Sign out of every session on this browser (clerk-js's signOut()).
async function signOutEverywhere(f: FapiCtx) {
  for (const id of [...f.client.sessionIds]) {
    const session = f.core.store.state.sessions[id];
    if (session?.status === "active") endSession(f, session, "removed");
  }
  return withClient(f, await clientJSON(f));
}

export function registerClientRoutes(router: Router, core: Core) {
  const environment = (req: RequestInfo) => ({
    status: 200,
    json: environmentJSON({
      applicationName: APPLICATION_NAME,
      settings: offeredSettings(core),
      appOrigin: appOriginOf(core, req.headers),
      organizationPaidPlans: billingPlans(core).some((p) => p.monthlyFee > 0),
    }),
  });

  router
    .add(
      "POST",
      "/v1/dev_browser",
      () => ({ status: 200, json: { id: createDevBrowser(core).devBrowserId } }),
      "frontend",
    )
    // clerk-js reads it with GET and, in development, "touches" it with PATCH: same answer.
    .add("GET", "/v1/environment", environment, "frontend")
    .add("PATCH", "/v1/environment", environment, "frontend")
    .add(
      "GET",
      "/v1/client",
      async (req) => ({
        status: 200,
        json: { response: await clientJSON(fapiCtx(core, req)), client: null },
      }),
      "frontend",
    )
    .add("DELETE", "/v1/client", (req) => signOutEverywhere(fapiCtx(core, req)), "frontend")
    .add(
      "DELETE",
      "/v1/client/sessions",
      (req) => signOutEverywhere(fapiCtx(core, req)),
      "frontend",
    )
    .add(
      "GET",
      "/v1/client/sessions/:id",
      async (req, p) => {
        const f = fapiCtx(core, req);
        const session = clientSession(f, p.id as string);
        const token = await mintSessionToken(core, session, { authorizedParty: f.appOrigin });
        return withClient(f, fapiSessionJSON(core, session, token));
      },
      "frontend",
    )
    // setActive(): the organization switch happens here.
    .add(
      "POST",
      "/v1/client/sessions/:id/touch",
      async (req, p) => {
        const f = fapiCtx(core, req);
        const body = parseParams(TouchBody, req.body);
        const session = clientSession(f, p.id as string);
        const org = organizationFor(core, session.userId, body.active_organization_id);
        if (org !== undefined) session.lastActiveOrganizationId = org;
        session.updatedAt = core.now();
        f.client.lastActiveSessionId = session.id;
        markSessionActive(core, session);
        const token = await mintSessionToken(core, session, { authorizedParty: f.appOrigin });
        return withClient(f, fapiSessionJSON(core, session, token));
      },
      "frontend",
    )
    .add(
      "POST",
      "/v1/client/sessions/:id/tokens",
      async (req, p) => {
        const f = fapiCtx(core, req);
        const body = parseParams(TokenBody, req.body);
        const session = clientSession(f, p.id as string);
        markSessionActive(core, session);
        const jwt = await mintSessionToken(core, session, {
          authorizedParty: f.appOrigin,
          organizationId: organizationFor(core, session.userId, body.organization_id),
        });
        // A bare token, not wrapped: clerk-js reads it as is.
        return { status: 200, json: { object: "token", jwt } };
      },
      "frontend",
    )
    .add(
      "POST",
      "/v1/client/sessions/:id/tokens/:template",
      async (req, p) => {
        const f = fapiCtx(core, req);
        const session = clientSession(f, p.id as string);
        const template = core.store.state.jwtTemplates[p.template as string];
        if (!template) throw errors.notFound("JWT template");
        return {
          status: 200,
          json: {
            object: "token",
            jwt: await mintTemplateToken(core, session, template, f.appOrigin),
          },
        };
      },
      "frontend",
    )
    .add(
      "POST",
      "/v1/client/sessions/:id/end",
      async (req, p) => {
        const f = fapiCtx(core, req);
        const session = endSession(f, clientSession(f, p.id as string), "ended");
        return withClient(f, fapiSessionJSON(core, session, null));
      },
      "frontend",
    )
    .add(
      "POST",
      "/v1/client/sessions/:id/remove",
      async (req, p) => {
        const f = fapiCtx(core, req);
        const session = endSession(f, clientSession(f, p.id as string), "removed");
        return withClient(f, fapiSessionJSON(core, session, null));
      },
      "frontend",
    );
}
