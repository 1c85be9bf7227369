import { createHash } from "node:crypto";
import type { Ctx } from "../core";
import { randomBase62 } from "../store/ids";
import type { EmailLinkRecord, VerificationRecord } from "../store/records";
import { deliverEmail } from "./mailbox";

// Emailed links: the mail carries `<Frontend API>/v1/verify?token=`, and opening it (in any tab)
// verifies what it was sent for; the tab that asked for it learns so by polling
// (email-link-verification.ts finishes it). Links live as long as emailed codes.

// What the page a link leads to is told (`__clerk_status`, `__clerk_created_session`).
export type LinkOutcome =
  | { status: "verified"; sessionId?: string | null }
  | { status: "expired" | "failed" };

export const tokenHash = (token: string) => createHash("sha256").update(token).digest("hex");

export type LinkRequest = {
  purpose: EmailLinkRecord["purpose"];
  targetId: string;
  to: { id: string | null; emailAddress: string };
  // What the mail says the link is for.
  subject: string;
  // Where the browser goes after opening it (an app page), and where the Frontend API is as the
  // browser sees it.
  redirectUrl: string;
  frontendApiUrl: string;
};

export function sendEmailLink(ctx: Ctx, request: LinkRequest): VerificationRecord {
  const { core } = ctx;
  const token = randomBase62(40);
  const now = core.now();
  const expiresAt = now + core.config.codeTtlSeconds * 1000;
  core.store.put("emailLinks", {
    id: tokenHash(token),
    purpose: request.purpose,
    targetId: request.targetId,
    redirectUrl: request.redirectUrl,
    expiresAt,
    createdAt: now,
  });
  const link = `${request.frontendApiUrl}/v1/verify?token=${token}`;
  deliverEmail(core, { to: request.to.emailAddress, subject: request.subject, link });
  return {
    strategy: "email_link",
    status: "unverified",
    emailAddressId: request.to.id,
    codeHash: null,
    attempts: 0,
    expireAt: expiresAt,
  };
}
