import { z } from "zod";
import type { Core } from "../core";
import { verifyPassword } from "../crypto/password";
import { stripPhoneFormatting } from "../domain/e164";
import { membershipPayload, membershipsOfUser } from "../domain/memberships";
import { parseParams } from "../domain/params";
import { createUser, deleteUser, getUser, updateUser, updateUserMetadata } from "../domain/users";
import { errors } from "../http/clerk-errors";
import type { Router } from "../http/router";
import { userJSON } from "../json/bapi-json";
import type { UserRecord } from "../store/records";
import { ctxOf, json, metadataSchema, paginate, sortBy } from "./shared";

const nullableName = z.string().max(256).nullable().optional();

const CreateUserBody = z
  .object({
    email_address: z.array(z.email()).max(10).optional(),
    phone_number: z.array(z.string()).max(10).optional(),
    password: z.string().optional(),
    first_name: nullableName,
    last_name: nullableName,
    username: z.string().min(4).max(64).nullable().optional(),
    external_id: z.string().max(256).nullable().optional(),
    public_metadata: metadataSchema.optional(),
    private_metadata: metadataSchema.optional(),
    unsafe_metadata: metadataSchema.optional(),
    created_at: z.iso.datetime().optional(),
    legal_accepted_at: z.iso.datetime().optional(),
    // Accepted for compatibility; the emulator enforces no password breach or legal checks (a
    // user made here needs no consent, even where sign-ups do).
    skip_password_checks: z.boolean().optional(),
    skip_password_requirement: z.boolean().optional(),
    skip_legal_checks: z.boolean().optional(),
  })
  .strict()
  .refine((b) => b.email_address?.length || b.phone_number?.length || b.username, {
    path: ["email_address"],
    message: "a user needs an email address, a phone number or a username",
  });

const VerifyPasswordBody = z.object({ password: z.string() }).strict();

const UpdateUserBody = z
  .object({
    first_name: nullableName,
    last_name: nullableName,
    username: z.string().min(4).max(64).nullable().optional(),
    external_id: z.string().max(256).nullable().optional(),
    password: z.string().optional(),
    primary_email_address_id: z.string().optional(),
    primary_phone_number_id: z.string().optional(),
    skip_password_checks: z.boolean().optional(),
    sign_out_of_other_sessions: z.boolean().optional(),
  })
  .strict();

const MetadataBody = z
  .object({
    public_metadata: metadataSchema.optional(),
    private_metadata: metadataSchema.optional(),
    unsafe_metadata: metadataSchema.optional(),
  })
  .strict();

// The filters of GET /users and GET /users/count (arrays repeat the parameter).
function filterUsers(core: Core, q: URLSearchParams): UserRecord[] {
  const { state } = core.store;
  const list = (name: string) => q.getAll(name).map((v) => v.toLowerCase());
  const emails = list("email_address");
  const phones = q.getAll("phone_number").map(stripPhoneFormatting);
  const ids = q.getAll("user_id");
  const usernames = list("username");
  const externalIds = q.getAll("external_id");
  const orgIds = q.getAll("organization_id");
  const text = q.get("query")?.toLowerCase();
  const num = (name: string) => (q.get(name) === null ? null : Number(q.get(name)));
  const createdBefore = num("created_at_before");
  const createdAfter = num("created_at_after");
  const activeSince = num("last_active_at_since") ?? num("last_active_at_after");
  const activeBefore = num("last_active_at_before");
  // This emulator has no web3 wallets: such a filter matches nobody.
  const impossible = q.has("web3_wallet");
  // An email or phone filter (the usual lookups) starts from the index instead of every user.
  const candidates = emails.length
    ? [...new Set(emails.flatMap((e) => core.store.lookup("users", "email", e)))]
    : phones.length
      ? [...new Set(phones.flatMap((p) => core.store.lookup("users", "phone", p)))]
      : Object.values(state.users);
  return candidates.filter((u) => {
    if (impossible) return false;
    if (ids.length && !ids.includes(u.id)) return false;
    if (emails.length && !u.emailAddresses.some((e) => emails.includes(e.emailAddress)))
      return false;
    if (phones.length && !u.phoneNumbers.some((p) => phones.includes(p.phoneNumber))) return false;
    if (usernames.length && !usernames.includes(u.username?.toLowerCase() ?? "")) return false;
    if (externalIds.length && !externalIds.includes(u.externalId ?? "")) return false;
    if (
      orgIds.length &&
      !membershipsOfUser(core, u.id).some((m) => orgIds.includes(m.organizationId))
    ) {
      return false;
    }
    if (createdBefore !== null && !(u.createdAt < createdBefore)) return false;
    if (createdAfter !== null && !(u.createdAt > createdAfter)) return false;
    if (activeSince !== null && !((u.lastActiveAt ?? 0) >= activeSince)) return false;
    if (activeBefore !== null && !((u.lastActiveAt ?? 0) < activeBefore)) return false;
    if (text) {
      const haystack = [
        u.id,
        u.username,
        u.firstName,
        u.lastName,
        u.externalId,
        ...u.emailAddresses.map((e) => e.emailAddress),
        ...u.phoneNumbers.map((p) => p.phoneNumber),
      ]
        .filter(Boolean)
        .join(" ")
        .toLowerCase();
      if (!haystack.includes(text)) return false;
    }
    return true;
  });
}

const primaryEmail = (u: UserRecord) =>
  u.emailAddresses.find((e) => e.id === u.primaryEmailAddressId)?.emailAddress ?? null;

export function registerUserRoutes(router: Router, core: Core) {
  router
    .add("GET", "/v1/users", (req) => {
      const sorted = sortBy(
        filterUsers(core, req.query),
        req.query.get("order_by"),
        "-created_at",
        {
          created_at: (u) => u.createdAt,
          updated_at: (u) => u.updatedAt,
          email_address: primaryEmail,
          first_name: (u) => u.firstName,
          last_name: (u) => u.lastName,
          username: (u) => u.username,
          last_active_at: (u) => u.lastActiveAt,
          last_sign_in_at: (u) => u.lastSignInAt,
        },
      );
      // Clerk's GET /users answers a bare array; the SDK asks /users/count for the total.
      return json(paginate(sorted, req.query).items.map(userJSON));
    })
    .add("GET", "/v1/users/count", (req) =>
      json({ object: "total_count", total_count: filterUsers(core, req.query).length }),
    )
    .add("POST", "/v1/users", async (req) => {
      const body = parseParams(CreateUserBody, req.body);
      const user = await createUser(ctxOf(core, req), {
        emailAddresses: body.email_address ?? [],
        phoneNumbers: body.phone_number,
        password: body.password,
        firstName: body.first_name,
        lastName: body.last_name,
        username: body.username,
        externalId: body.external_id,
        publicMetadata: body.public_metadata,
        privateMetadata: body.private_metadata,
        unsafeMetadata: body.unsafe_metadata,
        createdAt: body.created_at ? Date.parse(body.created_at) : undefined,
        legalAcceptedAt: body.legal_accepted_at ? Date.parse(body.legal_accepted_at) : undefined,
      });
      return json(userJSON(user));
    })
    .add("GET", "/v1/users/:id", (_req, p) => json(userJSON(getUser(core, p.id as string))))
    .add("PATCH", "/v1/users/:id", async (req, p) => {
      const body = parseParams(UpdateUserBody, req.body);
      const user = await updateUser(ctxOf(core, req), p.id as string, {
        firstName: body.first_name,
        lastName: body.last_name,
        username: body.username,
        externalId: body.external_id,
        password: body.password,
        primaryEmailAddressId: body.primary_email_address_id,
        primaryPhoneNumberId: body.primary_phone_number_id,
      });
      return json(userJSON(user));
    })
    .add("PATCH", "/v1/users/:id/metadata", (req, p) => {
      const body = parseParams(MetadataBody, req.body);
      const user = updateUserMetadata(
        ctxOf(core, req),
        p.id as string,
        {
          publicMetadata: body.public_metadata,
          privateMetadata: body.private_metadata,
          unsafeMetadata: body.unsafe_metadata,
        },
        "merge",
      );
      return json(userJSON(user));
    })
    .add("PUT", "/v1/users/:id/metadata", (req, p) => {
      const body = parseParams(MetadataBody, req.body);
      const user = updateUserMetadata(
        ctxOf(core, req),
        p.id as string,
        {
          publicMetadata: body.public_metadata,
          privateMetadata: body.private_metadata,
          unsafeMetadata: body.unsafe_metadata,
        },
        "replace",
      );
      return json(userJSON(user));
    })
    // Clerk's check of a password (re-verification in custom flows); the dev launcher asks it
    // whether the seed's passwords still work before printing them.
    .add("POST", "/v1/users/:id/verify_password", async (req, p) => {
      const body = parseParams(VerifyPasswordBody, req.body);
      const user = getUser(core, p.id as string);
      if (user.passwordHash === null) throw errors.noPasswordSet();
      if (!(await verifyPassword(body.password, user.passwordHash))) {
        throw errors.passwordIncorrect();
      }
      return json({ verified: true });
    })
    .add("DELETE", "/v1/users/:id", (req, p) => json(deleteUser(ctxOf(core, req), p.id as string)))
    .add("GET", "/v1/users/:id/organization_memberships", (req, p) => {
      const user = getUser(core, p.id as string);
      const mine = membershipsOfUser(core, user.id).sort((a, b) => b.createdAt - a.createdAt);
      const page = paginate(mine, req.query);
      return json({
        data: page.items.map((m) => membershipPayload(core, m)),
        total_count: page.totalCount,
      });
    });
}
