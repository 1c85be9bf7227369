import { z } from "zod";
import { parseInstanceSettings } from "../../clerk/instance-settings";
import { ctxOf, json } from "./bapi/shared";
import type { Core } from "./core";
import { endBillingPeriod, seedBillingPlans, subscribeWithTestCard } from "./domain/billing";
import { notEmulated, offeredSettings } from "./domain/instance-settings";
import { getOAuthApplication } from "./domain/oauth-applications";
import { accessToken } from "./domain/oauth-server";
import { getOrganization, syncSeats } from "./domain/organizations";
import { parseParams } from "./domain/params";
import { seedOrganizationRoles } from "./domain/roles";
import { createSession } from "./domain/sessions";
import { getUser } from "./domain/users";
import type { BackendApiStats } from "./http/backend-api-stats";
import { ClerkApiError, errors } from "./http/clerk-errors";
import type { Router } from "./http/router";
import { renderInspectPage } from "./inspect/page";
import { sessionJSON } from "./json/bapi-json";
import { subscriptionJSON } from "./json/billing-json";
import { frontendApiOrigin } from "./json/oauth-json";
import { randomBase62 } from "./store/ids";
import { mintSessionToken } from "./tokens/session-token";
import { FaultSpecError, parseFaults } from "./webhooks/faults";

// Emulator-only endpoints, NOT part of Clerk's API: everything lives under /__emulator. The
// mutating ones require the instance secret key, like the Backend API.
const MintSessionBody = z
  .object({
    user_id: z.string(),
    organization_id: z.string().nullable().optional(),
    lifetime_seconds: z.number().int().positive().max(86_400).optional(),
    backdate_seconds: z.number().int().min(0).max(86_400).optional(),
  })
  .strict();

const FaultsBody = z.object({ faults: z.string() }).strict();

const MintOAuthTokenBody = z
  .object({
    user_id: z.string(),
    oauth_application_id: z.string(),
    scopes: z.array(z.string()),
    organization_id: z.string().nullable().optional(),
    lifetime_seconds: z.number().int().positive().max(86_400).optional(),
    backdate_seconds: z.number().int().min(0).max(86_400).optional(),
  })
  .strict();

const SubscribeBody = z
  .object({ plan: z.string().min(1), period: z.enum(["month", "annual"]).default("month") })
  .strict();

// The instance settings as declared, what the instance offers of them, and what it leaves out.
const instanceSettingsJSON = (core: Core) => ({
  declared: core.instanceSettings,
  offered: offeredSettings(core),
  not_emulated: notEmulated(core.instanceSettings),
});

export function registerEmulatorRoutes(router: Router, core: Core, stats: BackendApiStats) {
  router
    .add("GET", "/__emulator", () => ({ status: 200, html: renderInspectPage(core) }), "open")
    .add("GET", "/__emulator/health", () => json({ status: "ok" }), "open")

    .add("POST", "/__emulator/sessions", async (req) => {
      const body = parseParams(MintSessionBody, req.body);
      const session = createSession(ctxOf(core, req), body.user_id, {
        organizationId: body.organization_id,
      });
      const token = await mintSessionToken(core, session, {
        lifetimeSeconds: body.lifetime_seconds,
        backdateSeconds: body.backdate_seconds,
      });
      return json({ session: sessionJSON(session), token });
    })
    // An OAuth access token as if the user had consented (a grant, then a token of the instance's
    // format), for tests that need many, or expired ones, without a browser.
    .add("POST", "/__emulator/oauth_access_tokens", async (req) => {
      const body = parseParams(MintOAuthTokenBody, req.body);
      const app = getOAuthApplication(core, body.oauth_application_id);
      const user = getUser(core, body.user_id);
      const now = core.now();
      const grant = core.store.put("oauthGrants", {
        id: `oag_${randomBase62(27)}`,
        applicationId: app.id,
        userId: user.id,
        organizationId: body.organization_id ?? null,
        scopes: body.scopes,
        revoked: false,
        createdAt: now,
        updatedAt: now,
      });
      const token = await accessToken(
        core,
        grant,
        body.scopes,
        frontendApiOrigin(core),
        (body.lifetime_seconds ?? 3600) * 1000,
        (body.backdate_seconds ?? 0) * 1000,
      );
      return json({ access_token: token, grant_id: grant.id });
    })
    .add("POST", "/__emulator/reset", () => {
      core.webhooks.clearTimers();
      core.store.reset();
      seedOrganizationRoles(core, core.organizationRoles);
      seedBillingPlans(core, core.billingPlans);
      return { status: 204 };
    })
    .add("GET", "/__emulator/instance_settings", () => json(instanceSettingsJSON(core)))
    // What `npm run clerk:configure` sends a running emulator: clerk/instance-settings.json,
    // checked as the emulator checks the file at start. It lasts until the emulator stops.
    .add("PUT", "/__emulator/instance_settings", (req) => {
      const parsed = parseInstanceSettings(req.body);
      if (!parsed.ok) {
        throw new ClerkApiError(
          422,
          parsed.problems.map((problem) => ({
            code: "form_param_format_invalid",
            message: "invalid instance settings",
            long_message: problem,
          })),
        );
      }
      core.instanceSettings = parsed.settings;
      return json(instanceSettingsJSON(core));
    })
    .add("GET", "/__emulator/webhooks", () =>
      json({
        data: core.store.state.webhookMessages.map((m) => ({
          id: m.id,
          event_type: m.eventType,
          state: m.state,
          created_at: m.createdAt,
          next_attempt_at: m.nextAttemptAt,
          attempts: m.attempts,
          payload: JSON.parse(m.payload),
        })),
        pending: core.webhooks.pendingCount(),
        on_hold: core.webhooks.holding,
      }),
    )
    .add("POST", "/__emulator/webhooks/release", () => {
      core.webhooks.release();
      return { status: 204 };
    })
    // What was "emailed" (verification codes, invitation links): there is no mail server.
    .add("GET", "/__emulator/mailbox", (req) => {
      const to = req.query.get("to")?.toLowerCase();
      const mail = core.store.state.mailbox.filter((m) => !to || m.to === to);
      return json({
        data: mail.map((m) => ({
          id: m.id,
          to: m.to,
          subject: m.subject,
          code: m.code,
          link: m.link,
          created_at: m.createdAt,
        })),
      });
    })
    // Backend API calls by route, to measure what a request to the app costs in Clerk calls; and
    // the CPU time this process has used, to measure the emulator's own cost per request.
    .add("GET", "/__emulator/stats", () => {
      const { user, system } = process.cpuUsage();
      return json({ ...stats.toJSON(), cpu_ms: (user + system) / 1000 });
    })
    .add("DELETE", "/__emulator/stats", () => {
      stats.reset(core.now());
      return { status: 204 };
    })
    // Clerk Billing's time, offline: the organization's current billing period ends now (a
    // scheduled downgrade or cancellation takes effect, a paid plan renews and is charged).
    .add("POST", "/__emulator/billing/organizations/:id/end_period", (req, p) => {
      const org = getOrganization(core, p.id as string);
      const subscription = endBillingPeriod(ctxOf(core, req), org, syncSeats);
      return json(subscriptionJSON(core, subscription, false));
    })
    // A checkout paid with the organization's test card, without a browser (tests and scripts):
    // an upgrade starts now, a downgrade at the period's end.
    .add("POST", "/__emulator/billing/organizations/:id/subscription", (req, p) => {
      const org = getOrganization(core, p.id as string);
      const body = parseParams(SubscribeBody, req.body);
      const subscription = subscribeWithTestCard(
        ctxOf(core, req),
        org,
        body.plan,
        body.period,
        syncSeats,
      );
      return json(subscriptionJSON(core, subscription, false));
    })
    .add("PUT", "/__emulator/webhooks/faults", (req) => {
      const body = parseParams(FaultsBody, req.body);
      try {
        core.webhooks.faults = parseFaults(body.faults);
      } catch (err) {
        if (err instanceof FaultSpecError) throw errors.paramInvalid("faults", err.message);
        throw err;
      }
      return json(core.webhooks.faults);
    });
}
