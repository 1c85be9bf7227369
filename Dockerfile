# syntax=docker/dockerfile:1
# The app as a container image: Next's standalone output (next.config.ts `output: "standalone"`),
# completed by scripts/standalone.ts with the app's front door (scripts/serve.ts, bundled as
# serve.cjs), the static files and the migrations; run as the unprivileged `node` user, with a
# health check. README "Deploying" says how to build, migrate and run it.
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
# Public values are inlined into the browser's bundle as it is built; no secret is needed here.
ARG NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY
ARG NEXT_PUBLIC_CLERK_PROXY_URL
ENV NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY=${NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY} \
    NEXT_PUBLIC_CLERK_PROXY_URL=${NEXT_PUBLIC_CLERK_PROXY_URL}
RUN npx next build && node --import tsx scripts/standalone.ts

FROM ${NODE_IMAGE}
WORKDIR /app
ENV NODE_ENV=production \
    NEXT_TELEMETRY_DISABLED=1 \
    PORT=3000
# Owned by the user it runs as: Next writes its cache under .next/cache.
COPY --from=build --chown=node:node /app/.next/standalone ./
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/api/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# serve.cjs stops gracefully on SIGTERM (new connections refused, requests in flight answered,
# at most 10 s): give it that long before a SIGKILL (docker stop -t 15, Kubernetes'
# terminationGracePeriodSeconds).
STOPSIGNAL SIGTERM
CMD ["node", "serve.cjs", "start"]
