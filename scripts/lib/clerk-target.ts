import { appEnvForEmulator, emulatorUrlsAt } from "./clerk-wiring";

export type ClerkTarget = {
  secretKey: string | undefined;
  apiUrl: string | undefined;
  label: string;
};

// Which Clerk an operational command talks to: the instance of CLERK_SECRET_KEY (at CLERK_API_URL,
// if set); without a key, the emulator of a running `npm run dev`.
export function clerkTarget(env: NodeJS.ProcessEnv): ClerkTarget {
  if (env.CLERK_SECRET_KEY) {
    return {
      secretKey: env.CLERK_SECRET_KEY,
      apiUrl: env.CLERK_API_URL,
      label: env.CLERK_API_URL ?? "Clerk (CLERK_SECRET_KEY)",
    };
  }
  const urls = emulatorUrlsAt(Number(env.EMULATOR_PORT ?? 4010));
  const url = urls.url;
  const wiring = appEnvForEmulator(urls);
  return { secretKey: wiring.CLERK_SECRET_KEY, apiUrl: url, label: `the emulator at ${url}` };
}
