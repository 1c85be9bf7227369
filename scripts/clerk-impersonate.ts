// `npm run clerk:impersonate -- --user <id or email> --as <id or email> [--minutes N]`: signs
// someone in as a user, as support does (what the Clerk Dashboard's "Impersonate user" does). It
// creates an actor token through the Backend API (@clerk/backend's actorTokens) and prints its url:
// opened in a browser, it signs the impersonator in as the user, once, within the hour. The app then
// says who is acting as whom on every page, and records their changes as the user's, impersonated
// by them.
//
// Which Clerk: CLERK_SECRET_KEY (and CLERK_API_URL, if set) from the environment or .env.local;
// without a key, the emulator of a running `npm run dev`.
import { createClerkClient } from "@clerk/backend";
import nextEnv from "@next/env";
import { clerkTarget } from "./lib/clerk-target";
import { commandArgs, usageError } from "./lib/command-args";
import { requireClerk } from "./lib/preflight";

nextEnv.loadEnvConfig(process.cwd());

const USAGE = `Usage: npm run clerk:impersonate -- --user <id or email> --as <id or email> [--minutes N]

  --user     the user to sign in as (a Clerk user id, user_..., or their email address)
  --as       who impersonates them: a user of the same instance, named in the app and its audit log
  --minutes  how long the impersonation session may last (default 30, at most 1440)`;

type Clerk = ReturnType<typeof createClerkClient>;

async function findUser(clerk: Clerk, idOrEmail: string) {
  if (idOrEmail.startsWith("user_")) {
    return clerk.users.getUser(idOrEmail).catch((err: unknown) => {
      if ((err as { status?: number }).status === 404) return null;
      throw err;
    });
  }
  const { data } = await clerk.users.getUserList({ emailAddress: [idOrEmail] });
  return data[0] ?? null;
}

function nameOf(user: NonNullable<Awaited<ReturnType<typeof findUser>>>): string {
  const name = [user.firstName, user.lastName].filter(Boolean).join(" ");
  const email = user.primaryEmailAddress?.emailAddress;
  return `${name || email || user.id} (${user.id})`;
}

async function main() {
  const args = commandArgs(
    { user: { type: "string" }, as: { type: "string" }, minutes: { type: "string" } },
    USAGE,
  );
  if (!args.user || !args.as) usageError(USAGE);
  const minutes = Number(args.minutes ?? 30);
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > 1440) {
    console.error(`--minutes must be a whole number from 1 to 1440, not ${args.minutes}\n`);
    usageError(USAGE);
  }
  const target = clerkTarget(process.env);
  await requireClerk(target, process.env);
  const clerk = createClerkClient({ secretKey: target.secretKey, apiUrl: target.apiUrl });
  const [user, actor] = await Promise.all([findUser(clerk, args.user), findUser(clerk, args.as)]);
  if (!user) throw new Error(`no user ${args.user} in ${target.label}`);
  if (!actor) throw new Error(`no user ${args.as} in ${target.label}`);
  if (user.id === actor.id) throw new Error("a user cannot impersonate themselves");
  const token = await clerk.actorTokens.create({
    userId: user.id,
    actor: { sub: actor.id },
    sessionMaxDurationInSeconds: minutes * 60,
  });
  console.log(`clerk:impersonate on ${target.label}`);
  console.log(`${nameOf(actor)} may sign in as ${nameOf(user)}, once, within the hour;`);
  console.log(`the session lasts at most ${minutes} minutes. Open:`);
  console.log(`  ${token.url}`);
  console.log(`(actor token ${token.id}; revoke it before it is used with`);
  console.log(` clerkClient().actorTokens.revoke("${token.id}"))`);
}

main().catch((err: unknown) => {
  const api = err as { errors?: { longMessage?: string; message: string }[] };
  const detail = api.errors?.map((e) => e.longMessage ?? e.message).join("; ");
  console.error("clerk:impersonate failed:", detail || (err instanceof Error ? err.message : err));
  process.exit(1);
});
