import { nosecone } from "@nosecone/next";

// The security headers of every answer, in one place: src/proxy.ts sets them (with a fresh CSP
// nonce) on everything it serves, next.config.ts sets the nonce-less variant on what the proxy
// does not run for (static files, the health check, the webhook receiver).

export type SecurityOptions = {
  // The nonce that lets this page's own scripts run; null for answers that are not HTML pages.
  nonce: string | null;
  production: boolean;
  // Where the browser reaches Clerk's Frontend API when it is not proxied through this origin
  // (real Clerk without a proxy: https://<instance>.clerk.accounts.dev).
  frontendApiOrigin: `https://${string}.${string}` | null;
  // The OAuth consent page: its form's answer sends the browser on to the OAuth client's redirect
  // URI, on any origin (an MCP client listens on a loopback port), and browsers hold redirects
  // after a form submission to `form-action`.
  formLeavesOrigin?: boolean;
};

const CLERK_IMAGES = "https://img.clerk.com";
// Clerk's bot protection (Cloudflare Turnstile) on sign-up, on real Clerk instances.
const CLERK_CAPTCHA = "https://challenges.cloudflare.com";

function contentSecurityPolicy({
  nonce,
  production,
  frontendApiOrigin,
  formLeavesOrigin,
}: SecurityOptions) {
  if (nonce === null) {
    // JSON, files, redirects: nothing in them may load or run anything, or be framed.
    return { directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } } as const;
  }
  const clerk = frontendApiOrigin ? [frontendApiOrigin] : [];
  return {
    directives: {
      defaultSrc: ["'self'"],
      // 'strict-dynamic': scripts the nonce'd ones load (clerk-js, @clerk/ui and their chunks)
      // run; nothing else does. Next's development server evaluates its modules.
      scriptSrc: [
        "'self'",
        `'nonce-${nonce}'` as const,
        "'strict-dynamic'",
        ...(production ? [] : (["'unsafe-eval'"] as const)),
        ...clerk,
      ],
      // Clerk's components inject their styles at run time.
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", "data:", "blob:", CLERK_IMAGES],
      fontSrc: ["'self'", "data:"],
      connectSrc: ["'self'", ...clerk],
      workerSrc: ["'self'", "blob:"],
      frameSrc: ["'self'", CLERK_CAPTCHA],
      frameAncestors: ["'none'"],
      formAction: formLeavesOrigin
        ? (["'self'", "https:", "http:"] as const)
        : (["'self'"] as const),
      baseUri: ["'self'"],
      objectSrc: ["'none'"],
      manifestSrc: ["'self'"],
      mediaSrc: ["'self'"],
      childSrc: ["'self'", "blob:"],
    },
  } as const;
}

// Nothing in this app uses the camera, microphone, location or payment APIs; no embedded page
// may either.
const PERMISSIONS_POLICY =
  "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()";

export function securityHeaders(options: SecurityOptions): Headers {
  const headers = nosecone({
    contentSecurityPolicy: contentSecurityPolicy(options),
    // Off: Clerk's avatars come from another origin without CORP headers, and nothing here needs
    // cross-origin isolation.
    crossOriginEmbedderPolicy: false,
    crossOriginOpenerPolicy: { policy: "same-origin" },
    crossOriginResourcePolicy: { policy: "same-origin" },
    referrerPolicy: { policy: ["strict-origin-when-cross-origin"] },
    strictTransportSecurity: options.production
      ? { maxAge: 365 * 24 * 60 * 60, includeSubDomains: true, preload: false }
      : false,
    xFrameOptions: { action: "deny" },
  });
  headers.set("permissions-policy", PERMISSIONS_POLICY);
  return headers;
}

// The headers of everything but pages, the same for every answer: computed once per server (and
// per Frontend API origin, which the environment fixes).
const constant = new Map<string, Headers>();

export function constantSecurityHeaders(options: Omit<SecurityOptions, "nonce">): Headers {
  const key = `${options.production}|${options.frontendApiOrigin}`;
  let headers = constant.get(key);
  if (!headers) {
    headers = securityHeaders({ ...options, nonce: null });
    constant.set(key, headers);
  }
  return headers;
}

// A fresh nonce per page: 128 random bits, base64.
export function newNonce(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
}
