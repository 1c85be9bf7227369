import type { Core, Ctx } from "../core";
import { errors } from "../http/clerk-errors";
import { deletedJSON, organizationDomainJSON } from "../json/bapi-json";
import { newId } from "../store/ids";
import { emailDomainOf } from "../store/indexes";
import type {
  DomainVerificationRecord,
  EnrollmentMode,
  OrganizationDomainRecord,
  UserRecord,
} from "../store/records";
import { enrollDomainPeople, forgetPendingOfDomain, pendingOfDomain } from "./domain-enrollment";
import { checkEmailCode, sendEmailCode } from "./email-codes";
import { invitationStatus } from "./invitations";
import { domainSettings } from "./organization-settings";
import { getOrganization } from "./organizations";

// An organization's verified domains (Clerk's "Verified domains"): added by name, proved by a code
// emailed to an address at the domain (or verified outright through the Backend API), then set to
// invite or suggest membership to people with a verified address there (domain-enrollment.ts).

// Clerk's limit per organization.
export const MAX_DOMAINS_PER_ORGANIZATION = 10;

// Common email providers cannot be an organization's domain, as in Clerk.
const COMMON_PROVIDERS = new Set([
  "gmail.com",
  "googlemail.com",
  "yahoo.com",
  "outlook.com",
  "hotmail.com",
  "live.com",
  "msn.com",
  "icloud.com",
  "me.com",
  "aol.com",
  "proton.me",
  "protonmail.com",
  "gmx.com",
  "mail.com",
  "yandex.com",
  "zoho.com",
]);

const DOMAIN_NAME = /^(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

export const isVerified = (d: OrganizationDomainRecord) => d.verification?.status === "verified";

// A domain with the counts its JSON carries, in either API and in webhooks.
export function domainPayload(core: Core, d: OrganizationDomainRecord) {
  const org = getOrganization(core, d.organizationId);
  const now = core.now();
  const pending = pendingOfDomain(core, d);
  return organizationDomainJSON(d, org, {
    pendingInvitations: pending.invitations.filter(
      (inv) => invitationStatus(inv, now) === "pending",
    ).length,
    pendingSuggestions: pending.suggestions.length,
  });
}

export function domainsOfOrganization(core: Core, organizationId: string) {
  return core.store.lookup("organizationDomains", "organization", organizationId);
}

export function getDomain(core: Core, organizationId: string, domainId: string) {
  const d = core.store.state.organizationDomains[domainId];
  if (!d || d.organizationId !== organizationId) throw errors.notFound("organization domain");
  return d;
}

// The verified domain of this name, whichever organization holds it (one per instance).
export function verifiedDomainNamed(core: Core, name: string) {
  return core.store.lookup("organizationDomains", "name", name).find(isVerified);
}

const verifiedElsewhere = (core: Core, d: OrganizationDomainRecord) =>
  core.store
    .lookup("organizationDomains", "name", d.name)
    .some((o) => o.id !== d.id && isVerified(o));

function assertDomainsEnabled(core: Core) {
  if (!domainSettings(core).enabled) {
    throw errors.notAllowed("Verified domains are not enabled for this instance.");
  }
}

export function checkedEnrollmentMode(core: Core, mode: string): EnrollmentMode {
  const modes: readonly string[] = domainSettings(core).enrollmentModes;
  if (!modes.includes(mode)) {
    throw errors.paramInvalid("enrollment_mode", `must be one of ${modes.join(", ")}`);
  }
  return mode as EnrollmentMode;
}

function checkedName(core: Core, organizationId: string, raw: string): string {
  const name = raw.trim().toLowerCase().replace(/^@/, "");
  if (!DOMAIN_NAME.test(name)) {
    throw errors.paramInvalid("name", "must be a domain name, such as example.com");
  }
  if (COMMON_PROVIDERS.has(name)) throw errors.organizationDomainCommon(name);
  if (domainsOfOrganization(core, organizationId).some((d) => d.name === name)) {
    throw errors.identifierExists("name");
  }
  if (verifiedDomainNamed(core, name)) throw errors.organizationDomainTaken(name);
  return name;
}

export type CreateDomainInput = {
  name: string;
  enrollmentMode?: string | null | undefined;
  // The Backend API's `verified` (true unless told otherwise there).
  verified?: boolean | undefined;
  // The Frontend API's caller: a verified address of theirs at the domain verifies it at once.
  creator?: UserRecord | undefined;
};

export async function createDomain(
  ctx: Ctx,
  organizationId: string,
  input: CreateDomainInput,
): Promise<OrganizationDomainRecord> {
  const { core } = ctx;
  assertDomainsEnabled(core);
  const org = getOrganization(core, organizationId);
  if (domainsOfOrganization(core, org.id).length >= MAX_DOMAINS_PER_ORGANIZATION) {
    throw errors.organizationDomainQuotaExceeded(MAX_DOMAINS_PER_ORGANIZATION);
  }
  const name = checkedName(core, org.id, input.name);
  const enrollmentMode = checkedEnrollmentMode(core, input.enrollmentMode ?? "manual_invitation");
  const creatorAddress = input.creator?.emailAddresses.find(
    (e) => e.verified && emailDomainOf(e.emailAddress) === name,
  );
  let verification: DomainVerificationRecord | null = null;
  if (input.verified) verification = { strategy: "admin", status: "verified" };
  else if (creatorAddress) {
    // Proved already: the creator verified an address there with an emailed code.
    verification = {
      strategy: "email_code",
      status: "verified",
      emailAddressId: creatorAddress.id,
      codeHash: null,
      attempts: 0,
      expireAt: null,
    };
  }
  const now = core.now();
  const domain: OrganizationDomainRecord = {
    id: newId("orgdmn"),
    organizationId: org.id,
    name,
    enrollmentMode,
    affiliationEmailAddress: verification && creatorAddress ? creatorAddress.emailAddress : null,
    verification,
    createdAt: now,
    updatedAt: now,
  };
  core.store.put("organizationDomains", domain);
  core.webhooks.emit(ctx, "organizationDomain.created", domainPayload(core, domain));
  await enrollDomainPeople(ctx, domain);
  return domain;
}

function changed(ctx: Ctx, d: OrganizationDomainRecord): OrganizationDomainRecord {
  d.updatedAt = Math.max(ctx.core.now(), d.updatedAt + 1);
  ctx.core.store.save();
  ctx.core.webhooks.emit(ctx, "organizationDomain.updated", domainPayload(ctx.core, d));
  return d;
}

// Sends a code to an address at the domain; entering it (attemptAffiliation) verifies the domain.
export function prepareAffiliation(
  ctx: Ctx,
  d: OrganizationDomainRecord,
  affiliationEmailAddress: string,
): OrganizationDomainRecord {
  const email = affiliationEmailAddress.trim().toLowerCase();
  if (!email.includes("@") || emailDomainOf(email) !== d.name || email.startsWith("@")) {
    throw errors.paramInvalid("affiliation_email_address", `must be an address at ${d.name}`);
  }
  if (isVerified(d)) throw errors.organizationDomainAlreadyVerified();
  d.affiliationEmailAddress = email;
  d.verification = sendEmailCode(
    ctx,
    { id: null, emailAddress: email },
    `verify ${d.name} for ${getOrganization(ctx.core, d.organizationId).name}`,
  );
  return changed(ctx, d);
}

export async function attemptAffiliation(
  ctx: Ctx,
  d: OrganizationDomainRecord,
  code: string,
): Promise<OrganizationDomainRecord> {
  const { core } = ctx;
  if (isVerified(d)) throw errors.organizationDomainAlreadyVerified();
  if (d.verification?.strategy !== "email_code") {
    throw errors.paramInvalid("code", "was never sent: prepare the verification first");
  }
  const result = checkEmailCode(d.verification, code, core.now());
  core.store.save();
  if (result === "incorrect") throw errors.codeIncorrect();
  if (result === "expired") throw errors.verificationExpired();
  if (result === "too_many_attempts") throw errors.verificationFailed();
  // Another organization verified the same name meanwhile: one verified domain per name.
  if (verifiedElsewhere(core, d)) {
    d.verification.status = "unverified";
    throw errors.organizationDomainTaken(d.name);
  }
  changed(ctx, d);
  await enrollDomainPeople(ctx, d);
  return d;
}

export type UpdateDomainInput = {
  enrollmentMode?: string | null | undefined;
  // The Backend API's override of the verification.
  verified?: boolean | null | undefined;
  // Switching to manual invitations: revoke the domain's pending invitations and drop its
  // pending suggestions (<OrganizationProfile/>'s "Delete pending invitations and suggestions").
  deletePending?: boolean | null | undefined;
};

export async function updateDomain(
  ctx: Ctx,
  d: OrganizationDomainRecord,
  input: UpdateDomainInput,
): Promise<OrganizationDomainRecord> {
  const { core } = ctx;
  assertDomainsEnabled(core);
  const mode =
    input.enrollmentMode == null ? undefined : checkedEnrollmentMode(core, input.enrollmentMode);
  if (input.verified === true && !isVerified(d)) {
    if (verifiedElsewhere(core, d)) throw errors.organizationDomainTaken(d.name);
    d.verification = { strategy: "admin", status: "verified" };
  } else if (input.verified === false) {
    d.verification = null;
  }
  if (mode) d.enrollmentMode = mode;
  changed(ctx, d);
  if (input.deletePending && d.enrollmentMode === "manual_invitation") {
    forgetPendingOfDomain(ctx, d);
  }
  await enrollDomainPeople(ctx, d);
  return d;
}

// Its pending suggestions go with it; invitations it sent stay valid, as any invitation.
export function deleteDomain(ctx: Ctx, d: OrganizationDomainRecord) {
  for (const s of pendingOfDomain(ctx.core, d).suggestions) {
    ctx.core.store.remove("organizationSuggestions", s.id);
  }
  ctx.core.store.remove("organizationDomains", d.id);
  const deleted = deletedJSON("organization_domain", d.id);
  ctx.core.webhooks.emit(ctx, "organizationDomain.deleted", deleted);
  return deleted;
}

// Deleting an organization deletes its domains, each announced as Clerk announces a deletion.
export function deleteDomainsOf(ctx: Ctx, organizationId: string): void {
  for (const d of domainsOfOrganization(ctx.core, organizationId)) deleteDomain(ctx, d);
}
