# syntax=docker/dockerfile:1
# One image definition for both services: `--target proxy` or `--target dispatcher`.
# Multi-arch: docker buildx build --platform linux/arm64,linux/amd64 --target proxy .
# (SST builds it for the service's architecture at `sst deploy`.) The build stage compiles the
# TypeScript (scripts/build.mjs: esbuild bundles with source maps); the runtime ships only that
# output and the production dependencies: no TypeScript loader or compiler in the image.

ARG NODE_IMAGE=node:24-bookworm-slim

# Every dependency (esbuild included) from the lockfile, then the compiled services.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages/events/package.json packages/events/
COPY packages/config/package.json packages/config/
COPY packages/proxy/package.json packages/proxy/
COPY packages/dispatcher/package.json packages/dispatcher/
COPY packages/scripts/package.json packages/scripts/
# --ignore-scripts: `prepare` would build before the sources are here; the RUN below builds.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts/build.mjs scripts/patch-postgres.mjs scripts/
COPY packages/events/src packages/events/src
COPY packages/config/src packages/config/src
COPY packages/proxy/src packages/proxy/src
COPY packages/dispatcher/src packages/dispatcher/src
# The build bundles postgres.js (scripts/build.mjs BUNDLED): patch it first, as `prepare` does.
RUN node scripts/patch-postgres.mjs && node scripts/build.mjs proxy dispatcher

# Production dependencies only, resolved from the lockfile for the target platform.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages/events/package.json packages/events/
COPY packages/config/package.json packages/config/
COPY packages/proxy/package.json packages/proxy/
COPY packages/dispatcher/package.json packages/dispatcher/
COPY packages/scripts/package.json packages/scripts/
# Only the services' workspaces: the operator CLI (AWS SDK, openai) stays out of the image. No
# production dependency has an install script; `prepare` (the build, which bundles the patched
# postgres.js) is the build stage's job.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund -w @llm-proxy/events -w @llm-proxy/config -w @llm-proxy/proxy -w @llm-proxy/dispatcher && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
# The deps tree includes any package-local node_modules npm placed under packages/*.
COPY --from=deps --chown=node:node /app ./
# The base image's unprivileged user (uid 1000).
USER node

FROM runtime AS proxy
COPY --from=build --chown=node:node /app/packages/proxy/dist packages/proxy/dist
# Every interface, also in embedded mode (which otherwise binds 127.0.0.1, unreachable from outside a container).
ENV LISTEN_ADDR=:8080 ADMIN_UI_LISTEN_ADDR=:8081
EXPOSE 8080 8081
# /live: the process answers. The load balancer checks /ready (this process can serve).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/live').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Exec form: node is PID 1 and receives SIGTERM itself (no shell in between).
ENTRYPOINT ["node", "--enable-source-maps", "packages/proxy/dist/main.js"]

FROM runtime AS dispatcher
COPY --from=build --chown=node:node /app/packages/dispatcher/dist packages/dispatcher/dist
EXPOSE 9090
# /live: the process runs (it retries Redis itself); /health reports stalled delivery.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:9090/live').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "--enable-source-maps", "packages/dispatcher/dist/main.js"]
