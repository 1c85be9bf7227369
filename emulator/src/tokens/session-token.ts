import { SignJWT } from "jose";
import type { Core } from "../core";
import { currentPlanOf } from "../domain/billing";
import { findMembership } from "../domain/memberships";
import { factorVerificationAge } from "../domain/reverification";
import { customPermissionKeys, permissionKeysOf } from "../domain/roles";
import { sessionStatus } from "../domain/session-tasks";
import { randomBase62 } from "../store/ids";
import type { JwtTemplateRecord, SessionRecord } from "../store/records";
import { tokenPermissionClaims } from "./permission-claims";

export type MintOptions = {
  lifetimeSeconds?: number | undefined;
  // The app origin the browser is on; defaults to EMULATOR_AUTHORIZED_PARTY.
  authorizedParty?: string | undefined;
  // The organization clerk-js asks the token for (its active one); must be one of the user's.
  organizationId?: string | null | undefined;
  // Emulator-only: shifts iat/nbf/exp into the past, so tests can hold an expired token.
  backdateSeconds?: number | undefined;
};

export function issuer(core: Core): string {
  return `https://${core.config.frontendApiHost}`;
}

async function sign(core: Core, claims: Record<string, unknown>): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "RS256", typ: "JWT", kid: core.signingKey.kid })
    .sign(core.signingKey.privateKey);
}

function timeClaims(core: Core, lifetimeSeconds: number, backdateSeconds = 0) {
  const iat = Math.floor(core.now() / 1000) - backdateSeconds;
  return { iat, nbf: iat - 10, exp: iat + lifetimeSeconds };
}

// A v2 session token as Clerk's Frontend API issues it, read by @clerk/backend's
// authenticateRequest/verifyToken: org claims under `o`, custom permissions in fea/per/fpm.
export async function mintSessionToken(
  core: Core,
  session: SessionRecord,
  options: MintOptions = {},
): Promise<string> {
  const claims: Record<string, unknown> = {
    azp: options.authorizedParty ?? core.config.authorizedParty,
    ...timeClaims(
      core,
      options.lifetimeSeconds ?? core.config.tokenTtlSeconds,
      options.backdateSeconds,
    ),
    iss: issuer(core),
    sid: session.id,
    sub: session.userId,
    v: 2,
    // Minutes since the session verified each factor (domain/reverification.ts).
    fva: factorVerificationAge(core, session),
    // `pending` while the session has a task (domain/session-tasks.ts).
    sts: sessionStatus(core, session),
    // Who is impersonating the user, as the actor token named them.
    ...(session.actor ? { act: session.actor } : {}),
  };
  const orgId =
    options.organizationId === undefined
      ? session.lastActiveOrganizationId
      : options.organizationId;
  const membership = orgId ? findMembership(core, orgId, session.userId) : undefined;
  const org = orgId ? core.store.state.organizations[orgId] : undefined;
  if (membership && org) {
    const permissions = tokenPermissionClaims(
      permissionKeysOf(core, membership.role),
      customPermissionKeys(core),
    );
    claims.o = {
      id: org.id,
      slg: org.slug,
      rol: membership.role.replace(/^org:/, ""),
      ...(permissions ? { per: permissions.per, fpm: permissions.fpm } : {}),
    };
    // Clerk Billing: the organization's plan, and its features after the permission features
    // (whose order `fpm` follows), so `has({ plan })` and `has({ feature })` read them.
    const plan = currentPlanOf(core, org.id);
    const permissionFeatures = permissions ? permissions.fea.split(",") : [];
    const features = [
      ...permissionFeatures,
      ...plan.features.map((f) => `o:${f.key}`).filter((f) => !permissionFeatures.includes(f)),
    ];
    if (features.length > 0) claims.fea = features.join(",");
    claims.pla = `o:${plan.key}`;
  }
  return sign(core, claims);
}

// JWT templates carry static custom claims on top of Clerk's default template claims.
export async function mintTemplateToken(
  core: Core,
  session: SessionRecord,
  template: JwtTemplateRecord,
  authorizedParty = core.config.authorizedParty,
): Promise<string> {
  return sign(core, {
    ...template.claims,
    azp: authorizedParty,
    ...timeClaims(core, template.lifetimeSeconds),
    iss: issuer(core),
    jti: randomBase62(20),
    sid: session.id,
    sub: session.userId,
  });
}
