# syntax=docker/dockerfile:1
# The integration worker. Build: `docker compose build worker` (or `docker build -t integrations-worker .`).
ARG NODE_IMAGE=node:20.19-bookworm-slim

# ---- build: compile TypeScript to lib/ and pre-bundle the workflows ----
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY simulators ./simulators
COPY scripts ./scripts
# tsc -p tsconfig.build.json -> lib/ ; scripts/build-workflow-bundle.ts -> lib/workflow-bundle.js
RUN npm run build && npm run build:workflows && test -f lib/src/worker.js && test -f lib/workflow-bundle.js

# ---- runtime: production dependencies and compiled output only, as a non-root user ----
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force
# Owned by root and read-only for the runtime user.
COPY --from=build /app/lib ./lib
# Fewer glibc malloc arenas (the SDK's native threads otherwise keep RSS high), a bounded old space and
# small young-generation semi-spaces: the Workday benchmark's figures (docs/benchmarks.md) are for these.
ENV METRICS_PORT=9464 \
    MALLOC_ARENA_MAX=2 \
    NODE_OPTIONS="--max-old-space-size=160 --max-semi-space-size=2" \
    WORKFLOW_BUNDLE_PATH=/app/lib/workflow-bundle.js
# The state folder (quarantine, rotating Slack token) for a volume the replicas share: the runtime user's.
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 9464
CMD ["node", "lib/src/worker.js"]
