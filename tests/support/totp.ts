import { Secret, TOTP } from "otpauth";

// A code from an authenticator app holding `secret` (base32), as of `at` (ms). The emulator never
// accepts a time step's code twice (RFC 6238): a test that enrols with the current step's code
// signs in with the next step's (`at: Date.now() + NEXT_STEP_MS`), which the one-step drift window
// accepts.
export function totpCode(secret: string, at = Date.now()): string {
  const totp = new TOTP({
    secret: Secret.fromBase32(secret),
    algorithm: "SHA1",
    digits: 6,
    period: 30,
  });
  return totp.generate({ timestamp: at });
}

export const NEXT_STEP_MS = 30_000;
