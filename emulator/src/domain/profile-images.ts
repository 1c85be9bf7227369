import type { Core, Ctx } from "../core";
import { errors } from "../http/clerk-errors";
import { newId } from "../store/ids";
import type { ProfileImageRecord } from "../store/records";
import { getUser, touchUser } from "./users";

// The picture a user uploads in <UserProfile/> ("Upload" on the profile), and takes off again
// ("Remove"). Clerk serves pictures from its image host (img.clerk.com); the emulator serves them
// itself, under /v1 so that they reach the browser through the app's Frontend API proxy, which
// forwards nothing else of the emulator's.

// The types <UserProfile/> accepts, told by their first bytes rather than by what the upload
// claims, since the emulator serves them back under that type.
const SIGNATURES: [contentType: string, matches: (b: Buffer) => boolean][] = [
  ["image/png", (b) => b.subarray(0, 8).equals(Buffer.from("89504e470d0a1a0a", "hex"))],
  ["image/jpeg", (b) => b.subarray(0, 3).equals(Buffer.from("ffd8ff", "hex"))],
  ["image/gif", (b) => b.subarray(0, 4).toString("latin1") === "GIF8"],
  [
    "image/webp",
    (b) =>
      b.subarray(0, 4).toString("latin1") === "RIFF" &&
      b.subarray(8, 12).toString("latin1") === "WEBP",
  ],
];

export const PROFILE_IMAGE_PATH = "/v1/images";

export function setProfileImage(
  ctx: Ctx,
  userId: string,
  upload: { name: string; bytes: Buffer; frontendApiUrl: string },
): ProfileImageRecord {
  const contentType = SIGNATURES.find(([, matches]) => matches(upload.bytes))?.[0];
  if (!contentType) throw errors.paramInvalid("file", "must be a PNG, JPEG, GIF or WebP image");
  const user = getUser(ctx.core, userId);
  const id = newId("img");
  user.image = {
    id,
    name: upload.name,
    contentType,
    data: upload.bytes.toString("base64"),
    url: `${upload.frontendApiUrl}${PROFILE_IMAGE_PATH}/${id}`,
    createdAt: ctx.core.now(),
  };
  touchUser(ctx, user);
  return user.image;
}

export function removeProfileImage(ctx: Ctx, userId: string): ProfileImageRecord {
  const user = getUser(ctx.core, userId);
  const { image } = user;
  if (!image) throw errors.notFound("profile image");
  delete user.image;
  touchUser(ctx, user);
  return image;
}

export function findProfileImage(core: Core, id: string): ProfileImageRecord {
  const image = Object.values(core.store.state.users).find((u) => u.image?.id === id)?.image;
  if (!image) throw errors.notFound("image");
  return image;
}
