import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Page } from "@playwright/test";
import { build } from "esbuild";
import { APP_URL } from "../ports";

// Runs one of Clerk's documented custom flows (./docs/, the docs' code) in the browser against the
// app's Clerk, as a page of the app's origin: the app's /__clerk Frontend API proxy, its session
// cookies. The page exists for this browser page only (a Playwright route, not the app), bundled
// with esbuild: the docs' @clerk/nextjs imports are @clerk/react's (what @clerk/nextjs's client
// hooks and components re-export), under a ClerkProvider configured as the app configures its own.
const DIR = path.dirname(fileURLToPath(import.meta.url));

export async function openCustomFlow(
  page: Page,
  flow: string,
  options: {
    publishableKey: string;
    define?: Record<string, string>;
    query?: string;
    // What the docs' page component is given (by the page around it, in the docs).
    props?: Record<string, unknown>;
    // Flows written for the SDK's earlier useSignIn()/useSignUp() (isLoaded, setActive).
    legacyHooks?: boolean;
    // Modules of the docs' flow that run elsewhere in Next (a Server Action): the import path the
    // flow names, and the stand-in's file in this folder.
    modules?: Record<string, string>;
  },
): Promise<void> {
  const entry = `
    import { ClerkProvider } from "@clerk/react";
    import { createRoot } from "react-dom/client";
    import Flow from "./docs/${flow}";
    createRoot(document.getElementById("root")).render(
      <ClerkProvider publishableKey=${JSON.stringify(options.publishableKey)} proxyUrl="/__clerk">
        <Flow {...${JSON.stringify(options.props ?? {})}} />
      </ClerkProvider>,
    );`;
  const modules = options.modules ?? {};
  const bundle = await build({
    stdin: { contents: entry, loader: "tsx", resolveDir: DIR },
    bundle: true,
    write: false,
    format: "esm",
    jsx: "automatic",
    logLevel: "silent",
    define: {
      "process.env.NODE_ENV": JSON.stringify("production"),
      ...Object.fromEntries(
        Object.entries(options.define ?? {}).map(([name, value]) => [name, JSON.stringify(value)]),
      ),
    },
    alias: {
      "@clerk/nextjs": options.legacyHooks ? path.join(DIR, "legacy-hooks.ts") : "@clerk/react",
      "next/navigation": path.join(DIR, "next-navigation.ts"),
    },
    plugins: [
      {
        name: "stand-ins",
        setup(b) {
          b.onResolve({ filter: /.*/ }, (args) => {
            const file = modules[args.path];
            return file ? { path: path.join(DIR, file) } : undefined;
          });
        },
      },
    ],
  });
  const url = `${APP_URL}/custom-flows/${flow}`;
  await page.route(
    (u) => `${u.origin}${u.pathname}` === url,
    (route) =>
      route.fulfill({
        contentType: "text/html; charset=utf-8",
        body: `<!doctype html><html><body><div id="root"></div><script type="module" src="/custom-flows/${flow}.js"></script></body></html>`,
      }),
  );
  await page.route(`${url}.js`, (route) =>
    route.fulfill({
      contentType: "application/javascript; charset=utf-8",
      body: bundle.outputFiles[0]?.text ?? "",
    }),
  );
  await page.goto(options.query ? `${url}?${options.query}` : url);
}
