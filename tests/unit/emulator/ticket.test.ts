import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Core } from "../../../emulator/src/core";
import { loadOrCreateSigningKey } from "../../../emulator/src/crypto/signing-key";
import type {
  ActorTokenRecord,
  OrganizationInvitationRecord,
  SignInTokenRecord,
} from "../../../emulator/src/store/records";
import {
  mintActorToken,
  mintInvitationTicket,
  mintSignInToken,
  readTicket,
} from "../../../emulator/src/tokens/ticket";

const DAY = 24 * 60 * 60 * 1000;
const NOW = Date.UTC(2026, 4, 12);
const dirs: string[] = [];
let clock = NOW;

async function instance(instanceId: string): Promise<Core> {
  const dir = mkdtempSync(path.join(tmpdir(), "ticket-key-"));
  dirs.push(dir);
  return {
    config: { frontendApiHost: "emulator.clerk.accounts.dev" },
    store: { state: { instanceId } },
    signingKey: await loadOrCreateSigningKey(dir),
    now: () => clock,
  } as unknown as Core;
}

const invitation = {
  id: "orginv_0000000000000000000000000001",
  organizationId: "org_00000000000000000000000001",
  createdAt: NOW,
  expiresAt: NOW + 30 * DAY,
} as OrganizationInvitationRecord;

const signInToken = {
  id: "sit_00000000000000000000000001",
  createdAt: NOW,
  expiresAt: NOW + DAY,
} as SignInTokenRecord;

let core: Core;
let other: Core;
beforeAll(async () => {
  core = await instance("ins_one");
  other = await instance("ins_two");
});
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => "accepted",
    (err: { errors: { code: string }[] }) => err.errors[0]?.code,
  );

describe("invitation tickets", () => {
  it("name the invitation and its organization while the invitation lasts", async () => {
    clock = NOW + 29 * DAY;
    const ticket = await mintInvitationTicket(core, invitation);
    expect(await readTicket(core, ticket)).toEqual({
      type: "organization_invitation",
      invitationId: invitation.id,
      organizationId: invitation.organizationId,
    });
  });

  it("expire with the invitation: ticket_expired_code", async () => {
    const ticket = await mintInvitationTicket(core, invitation);
    clock = NOW + 31 * DAY;
    expect(await failure(readTicket(core, ticket))).toBe("ticket_expired_code");
    clock = NOW;
  });

  it("are refused when forged, from another instance or not a ticket: ticket_invalid_code", async () => {
    const ticket = await mintInvitationTicket(core, invitation);
    const [head, , signature] = ticket.split(".");
    const claims = JSON.parse(Buffer.from(ticket.split(".")[1] ?? "", "base64url").toString());
    const tampered = `${head}.${Buffer.from(JSON.stringify({ ...claims, sid: "orginv_x" })).toString("base64url")}.${signature}`;
    expect(await failure(readTicket(core, tampered))).toBe("ticket_invalid_code");
    expect(await failure(readTicket(other, ticket))).toBe("ticket_invalid_code");
    expect(await failure(readTicket(core, "eyJhbGciOiJub25lIn0.e30."))).toBe("ticket_invalid_code");
    expect(await failure(readTicket(core, ""))).toBe("ticket_invalid_code");
  });
});

describe("sign-in tokens", () => {
  it("name the token, and are never read as an invitation's ticket (nor the other way round)", async () => {
    const token = await mintSignInToken(core, signInToken);
    expect(await readTicket(core, token)).toEqual({
      type: "sign_in_token",
      signInTokenId: signInToken.id,
    });
    const invitationTicket = await readTicket(core, await mintInvitationTicket(core, invitation));
    expect(invitationTicket.type).toBe("organization_invitation");
  });

  it("expire when the token does, and are refused from another instance", async () => {
    const token = await mintSignInToken(core, signInToken);
    expect(await failure(readTicket(other, token))).toBe("ticket_invalid_code");
    clock = NOW + DAY;
    expect(await failure(readTicket(core, token))).toBe("ticket_expired_code");
    clock = NOW;
  });
});

describe("actor tokens", () => {
  const actorToken = {
    id: "act_00000000000000000000000001",
    createdAt: NOW,
    expiresAt: NOW + 60 * 60 * 1000,
  } as ActorTokenRecord;

  it("name the token, never read as a sign-in token's ticket, and expire with it", async () => {
    const ticket = await mintActorToken(core, actorToken);
    expect(await readTicket(core, ticket)).toEqual({
      type: "actor_token",
      actorTokenId: actorToken.id,
    });
    expect((await readTicket(core, await mintSignInToken(core, signInToken))).type).toBe(
      "sign_in_token",
    );
    clock = NOW + 60 * 60 * 1000;
    expect(await failure(readTicket(core, ticket))).toBe("ticket_expired_code");
    clock = NOW;
  });
});
