import type { NextConfig } from "next";
import { PHASE_DEVELOPMENT_SERVER } from "next/constants";
import { securityHeaders } from "./src/http/security-headers";

export default function nextConfig(phase: string): NextConfig {
  return {
    poweredByHeader: false,
    // `npm test` type-checks the whole tree (tsc) just before it builds, and says so with
    // BUILD_TYPECHECKED=1: the build's own pass over the same files is skipped there (seconds of
    // CPU the suites beside the build use). Every other build checks its types.
    typescript: { ignoreBuildErrors: process.env.BUILD_TYPECHECKED === "1" },
    // .next/standalone: the server and only the files it needs, for a container
    // (scripts/lib/standalone.ts adds the rest; README "Deploying"). Not on Vercel (which sets
    // VERCEL=1 as it builds): it packages the app itself, and Next 16.3+ fails that build with
    // standalone output (vercel/next.js#96646).
    output: process.env.VERCEL ? undefined : "standalone",
    experimental: {
      // What Next buffers of a request body for the proxy: the proxy refuses larger declared
      // bodies (src/proxy.ts), and this bounds what a body without a declared length can make it
      // hold.
      proxyClientMaxBodySize: "1mb",
    },
    // The security headers of answers the proxy does not run for (static files, the health
    // check, the webhook receiver). On everything else the proxy sets the same headers, a page's
    // CSP with its nonce, and they replace these.
    async headers() {
      const headers = securityHeaders({
        nonce: null,
        production: phase !== PHASE_DEVELOPMENT_SERVER,
        frontendApiOrigin: null,
      });
      return [{ source: "/:path*", headers: [...headers].map(([key, value]) => ({ key, value })) }];
    },
  };
}
