import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from "node:crypto";
import { isoCBOR } from "@simplewebauthn/server/helpers";

// A WebAuthn authenticator in software, for tests without a browser: it answers the options the
// emulator gives (a passkey's `verification.nonce`, a sign-in's `first_factor_verification.nonce`)
// with the JSON clerk-js sends (`serializePublicKeyCredential` and its assertion twin): a "none"
// attestation of a new ES256 key pair, then assertions signed with it. The browser suite uses
// Chromium's own virtual authenticator instead.

const b64url = (bytes: Uint8Array | Buffer) => Buffer.from(bytes).toString("base64url");
const sha256 = (data: Uint8Array | string) => createHash("sha256").update(data).digest();

type CreationOptions = { challenge: string; rp: { id: string }; user: { id: string } };
type RequestOptions = { challenge: string; rpId?: string };

export type SoftwareAuthenticator = {
  // navigator.credentials.create(): the attestation clerk-js posts as `public_key_credential`.
  register: (nonce: string) => string;
  // navigator.credentials.get(), with the credential made by `register`.
  assert: (nonce: string, options?: { origin?: string }) => string;
  credentialId: string;
};

export function softwareAuthenticator(origin: string): SoftwareAuthenticator {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const credentialId = randomBytes(16);
  let counter = 0;
  let userHandle = "";
  let rpId = "";

  const authenticatorData = (attested: Buffer | null) => {
    counter += 1;
    const flags = 0x01 | 0x04 | (attested ? 0x40 : 0); // user present, verified, credential data
    const count = Buffer.alloc(4);
    count.writeUInt32BE(counter);
    return Buffer.concat([sha256(rpId), Buffer.from([flags]), count, attested ?? Buffer.alloc(0)]);
  };
  const clientData = (type: string, challenge: string, at = origin) =>
    Buffer.from(JSON.stringify({ type, challenge, origin: at, crossOrigin: false }));

  return {
    credentialId: b64url(credentialId),
    register(nonce) {
      const options = JSON.parse(nonce) as CreationOptions;
      rpId = options.rp.id;
      userHandle = options.user.id;
      const idLength = Buffer.alloc(2);
      idLength.writeUInt16BE(credentialId.length);
      const attested = Buffer.concat([
        Buffer.alloc(16), // AAGUID: none
        idLength,
        credentialId,
        Buffer.from(isoCBOR.encode(coseKey(publicKey))),
      ]);
      const attestationObject = isoCBOR.encode(
        new Map<string, unknown>([
          ["fmt", "none"],
          ["attStmt", new Map()],
          ["authData", new Uint8Array(authenticatorData(attested))],
        ]) as never,
      );
      return JSON.stringify({
        type: "public-key",
        id: b64url(credentialId),
        rawId: b64url(credentialId),
        authenticatorAttachment: "platform",
        response: {
          clientDataJSON: b64url(clientData("webauthn.create", options.challenge)),
          attestationObject: b64url(attestationObject),
          transports: ["internal"],
        },
      });
    },
    assert(nonce, assertion = {}) {
      const options = JSON.parse(nonce) as RequestOptions;
      const data = authenticatorData(null);
      const client = clientData("webauthn.get", options.challenge, assertion.origin);
      const signature = sign("sha256", Buffer.concat([data, sha256(client)]), privateKey);
      return JSON.stringify({
        type: "public-key",
        id: b64url(credentialId),
        rawId: b64url(credentialId),
        authenticatorAttachment: "platform",
        response: {
          clientDataJSON: b64url(client),
          authenticatorData: b64url(data),
          signature: b64url(signature),
          userHandle,
        },
      });
    },
  };
}

// The public key as COSE_Key (RFC 9053): EC2, ES256, P-256, x, y.
function coseKey(publicKey: KeyObject) {
  const jwk = publicKey.export({ format: "jwk" });
  return new Map<number, number | Uint8Array>([
    [1, 2],
    [3, -7],
    [-1, 1],
    [-2, new Uint8Array(Buffer.from(jwk.x as string, "base64url"))],
    [-3, new Uint8Array(Buffer.from(jwk.y as string, "base64url"))],
  ]) as never;
}
