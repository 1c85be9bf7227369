import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from "node:crypto";
import path from "node:path";
import { calculateJwkThumbprint, type JWK } from "jose";
import { readFileIfExists, writeFileAtomic } from "../store/state-file";

export type SigningKey = {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicJwk: JWK;
  publicPem: string;
};

// The key is persisted and its kid is its JWK thumbprint (RFC 7638): a restarted emulator serves
// the same key under the same kid, so an app's cached JWKS keeps verifying, and a new key can
// never hide behind an old kid.
export async function loadOrCreateSigningKey(dataDir: string): Promise<SigningKey> {
  const file = path.join(dataDir, "signing-key.pem");
  let pem = readFileIfExists(file);
  if (!pem) {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    writeFileAtomic(file, pem);
  }
  const privateKey = createPrivateKey(pem);
  const publicKey = createPublicKey(privateKey);
  const { kty, n, e } = publicKey.export({ format: "jwk" });
  const thumbprint = await calculateJwkThumbprint({ kty, n, e } as JWK);
  const kid = `ins_${thumbprint.slice(0, 27)}`;
  return {
    kid,
    privateKey,
    publicKey,
    publicJwk: { kty, n, e, kid, alg: "RS256", use: "sig" } as JWK,
    publicPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
  };
}
