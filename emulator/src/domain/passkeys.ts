import {
  type AuthenticationResponseJSON,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  type RegistrationResponseJSON,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from "@simplewebauthn/server";
import type { Core, Ctx } from "../core";
import { errors } from "../http/clerk-errors";
import { newId } from "../store/ids";
import type { PasskeyRecord, UserRecord } from "../store/records";
import { offeredSettings } from "./instance-settings";
import { registeredPasskeys } from "./mfa-status";
import { describeUserAgent } from "./user-agent";
import { touchUser } from "./users";

// Passkeys (WebAuthn), verified with @simplewebauthn/server.
//
// The relying party is the app, not the emulator: the browser is on the app's origin
// (http://localhost:3000) and reaches the emulator through the app's /__clerk proxy, so the
// credential is scoped to the app's host name. The emulator takes both from the app origin it is
// configured with (EMULATOR_AUTHORIZED_PARTY): RP ID = its host name (`localhost`), expected
// origin = the origin itself. A page opened on another origin (http://127.0.0.1:3000) cannot use
// them; browsers allow WebAuthn on http:// only for localhost.

const CEREMONY_TIMEOUT_MS = 5 * 60 * 1000;

export function relyingParty(core: Core) {
  const origin = new URL(core.config.authorizedParty);
  return { id: origin.hostname, origin: origin.origin };
}

const fromBase64Url = (s: string) => new Uint8Array(Buffer.from(s, "base64url"));

export function findPasskey(user: UserRecord, id: string): PasskeyRecord {
  const passkey = user.passkeys.find((p) => p.id === id);
  if (!passkey) throw errors.notFound("passkey");
  return passkey;
}

function assertPasskeysOffered(core: Core) {
  if (!offeredSettings(core).first_factors.passkey) {
    throw errors.notAllowed("Passkeys are not enabled on this application.");
  }
}

function parseCredential<T>(raw: string | undefined): T {
  if (!raw) throw errors.paramMissing("public_key_credential");
  try {
    const parsed = JSON.parse(raw) as T & { id?: unknown; response?: unknown };
    if (typeof parsed.id === "string" && parsed.response && typeof parsed.response === "object") {
      return parsed;
    }
  } catch {}
  throw errors.passkeyInvalid("public_key_credential is not a WebAuthn credential (JSON)");
}

// `user.createPasskey()`, first half: a passkey, unverified, with the options for the browser's
// navigator.credentials.create() (its `verification.nonce`). A registration left unfinished is
// replaced.
export async function startPasskeyRegistration(ctx: Ctx, user: UserRecord): Promise<PasskeyRecord> {
  assertPasskeysOffered(ctx.core);
  const rp = relyingParty(ctx.core);
  const account =
    user.emailAddresses.find((e) => e.id === user.primaryEmailAddressId)?.emailAddress ??
    user.username ??
    user.id;
  const options = await generateRegistrationOptions({
    rpName: rp.id,
    rpID: rp.id,
    userName: account,
    userID: new TextEncoder().encode(user.id),
    userDisplayName: [user.firstName, user.lastName].filter(Boolean).join(" ") || account,
    attestationType: "none",
    excludeCredentials: registeredPasskeys(user).map((p) => ({
      id: p.credentialId,
      transports: p.transports,
    })),
    // Discoverable, so <SignIn/> can sign in with it without an identifier.
    authenticatorSelection: { residentKey: "required", userVerification: "preferred" },
    timeout: CEREMONY_TIMEOUT_MS,
  });
  const now = ctx.core.now();
  const device = describeUserAgent(ctx.origin.userAgent);
  const passkey: PasskeyRecord = {
    id: newId("idn"),
    name: device.browserName ? `${device.browserName} on ${device.deviceType}` : "Passkey",
    credentialId: null,
    publicKey: null,
    counter: 0,
    transports: [],
    registration: {
      challenge: options.challenge,
      options: JSON.stringify(options),
      expireAt: now + CEREMONY_TIMEOUT_MS,
    },
    lastUsedAt: null,
    createdAt: now,
    updatedAt: now,
  };
  ctx.core.store.update("users", user, {
    passkeys: [...user.passkeys.filter((p) => p.credentialId !== null), passkey],
  });
  return passkey;
}

// Second half: the browser's attestation, checked against the challenge, the app's origin and RP
// ID; the credential is then the user's.
export async function finishPasskeyRegistration(
  ctx: Ctx,
  user: UserRecord,
  passkeyId: string,
  rawCredential: string | undefined,
): Promise<PasskeyRecord> {
  const response = parseCredential<RegistrationResponseJSON>(rawCredential);
  const pending = findPasskey(user, passkeyId);
  const registration = pending.registration;
  if (!registration) throw errors.paramInvalid("passkey", "is already registered", 400);
  if (registration.expireAt <= ctx.core.now()) throw errors.verificationExpired();
  const rp = relyingParty(ctx.core);
  const result = await verifyRegistrationResponse({
    // clerk-js sends no clientExtensionResults.
    response: { ...response, clientExtensionResults: response.clientExtensionResults ?? {} },
    expectedChallenge: registration.challenge,
    expectedOrigin: rp.origin,
    expectedRPID: rp.id,
    requireUserVerification: false,
  }).catch((err: Error) => {
    throw errors.passkeyInvalid(err.message);
  });
  if (!result.verified) throw errors.passkeyInvalid("the attestation does not verify");
  const { credential } = result.registrationInfo;
  if (ctx.core.store.lookup("users", "passkeyCredential", credential.id).length > 0) {
    throw errors.identifierExists("passkey");
  }
  // Read again after the await: the user may have changed meanwhile.
  const current = findPasskey(user, passkeyId);
  const registered: PasskeyRecord = {
    ...current,
    credentialId: credential.id,
    publicKey: Buffer.from(credential.publicKey).toString("base64url"),
    counter: credential.counter,
    transports: credential.transports ?? response.response.transports ?? [],
    registration: null,
    updatedAt: ctx.core.now(),
  };
  touchUser(ctx, user, {
    passkeys: user.passkeys.map((p) => (p.id === passkeyId ? registered : p)),
  });
  return registered;
}

// The options for navigator.credentials.get() (a sign-in's or reverification's `nonce`): any
// passkey of this instance (discoverable), or, for a known user, theirs.
export async function passkeyRequestOptions(core: Core, user?: UserRecord): Promise<string> {
  assertPasskeysOffered(core);
  const options = await generateAuthenticationOptions({
    rpID: relyingParty(core).id,
    allowCredentials: (user ? registeredPasskeys(user) : []).map((p) => ({
      id: p.credentialId,
      transports: p.transports as AuthenticatorTransport[],
    })),
    userVerification: "preferred",
    timeout: CEREMONY_TIMEOUT_MS,
  });
  return JSON.stringify(options);
}

// Checks the browser's assertion against the options it was given (`nonce`): whose passkey it is,
// its signature and its counter. Answers the user it signs in.
export async function verifyPasskeyAssertion(
  ctx: Ctx,
  nonce: string,
  rawCredential: string | undefined,
  expectedUserId?: string,
): Promise<UserRecord> {
  const response = parseCredential<AuthenticationResponseJSON>(rawCredential);
  const [owner] = ctx.core.store.lookup("users", "passkeyCredential", response.id);
  const passkey = owner
    ? registeredPasskeys(owner).find((p) => p.credentialId === response.id)
    : undefined;
  if (!owner || !passkey) throw errors.passkeyNotFound();
  if (expectedUserId !== undefined && owner.id !== expectedUserId) {
    throw errors.passkeyInvalid("it belongs to another account");
  }
  const rp = relyingParty(ctx.core);
  const { challenge } = JSON.parse(nonce) as { challenge: string };
  const result = await verifyAuthenticationResponse({
    // clerk-js sends no clientExtensionResults.
    response: { ...response, clientExtensionResults: response.clientExtensionResults ?? {} },
    expectedChallenge: challenge,
    expectedOrigin: rp.origin,
    expectedRPID: rp.id,
    credential: {
      id: passkey.credentialId,
      publicKey: fromBase64Url(passkey.publicKey),
      counter: passkey.counter,
      transports: passkey.transports as AuthenticatorTransport[],
    },
    requireUserVerification: false,
  }).catch((err: Error) => {
    throw errors.passkeyInvalid(err.message);
  });
  if (!result.verified) throw errors.passkeyInvalid("the signature does not verify");
  passkey.counter = result.authenticationInfo.newCounter;
  passkey.lastUsedAt = ctx.core.now();
  ctx.core.store.save();
  return owner;
}

export function renamePasskey(ctx: Ctx, user: UserRecord, id: string, name: string) {
  const passkey = findPasskey(user, id);
  const trimmed = name.trim();
  if (!trimmed || trimmed.length > 100) {
    throw errors.paramInvalid("name", "must be 1 to 100 characters");
  }
  passkey.name = trimmed;
  passkey.updatedAt = ctx.core.now();
  touchUser(ctx, user);
  return passkey;
}

export function removePasskey(ctx: Ctx, user: UserRecord, id: string): PasskeyRecord {
  const passkey = findPasskey(user, id);
  touchUser(ctx, user, { passkeys: user.passkeys.filter((p) => p.id !== id) });
  return passkey;
}
