# syntax=docker/dockerfile:1
# One image definition for both services: `--target proxy` or `--target dispatcher`.
# Multi-arch: docker buildx build --platform linux/arm64,linux/amd64 --target proxy .
# (SST builds it for the service's architecture at `sst deploy`.) No build step: tsx runs the
# TypeScript sources, as in development.

ARG NODE_IMAGE=node:20-bookworm-slim

# Production dependencies only, resolved from the lockfile for the target platform.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages/events/package.json packages/events/
COPY packages/proxy/package.json packages/proxy/
COPY packages/dispatcher/package.json packages/dispatcher/
COPY packages/scripts/package.json packages/scripts/
# Only the services' workspaces: the operator CLI (AWS SDK, openai) stays out of the image.
RUN npm ci --omit=dev --no-audit --no-fund -w @llm-proxy/events -w @llm-proxy/proxy -w @llm-proxy/dispatcher && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
# The deps tree includes any package-local node_modules npm placed under packages/*.
COPY --from=deps --chown=node:node /app ./
COPY --chown=node:node packages/events/src packages/events/src
# The base image's unprivileged user (uid 1000).
USER node

FROM runtime AS proxy
COPY --chown=node:node packages/proxy/src packages/proxy/src
# Every interface, also in embedded mode (which otherwise binds 127.0.0.1, unreachable from outside a container).
ENV LISTEN_ADDR=:8080 ADMIN_UI_LISTEN_ADDR=:8081
EXPOSE 8080 8081
# /live: the process answers. The load balancer checks /ready (this process can serve).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/live').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Exec form: node is PID 1 and receives SIGTERM itself (no shell in between).
ENTRYPOINT ["node", "--import", "tsx", "packages/proxy/src/main.ts"]

FROM runtime AS dispatcher
COPY --chown=node:node packages/dispatcher/src packages/dispatcher/src
EXPOSE 9090
# /live: the process runs (it retries Redis itself); /health reports stalled delivery.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:9090/live').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "--import", "tsx", "packages/dispatcher/src/main.ts"]
