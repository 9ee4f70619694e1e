# syntax=docker/dockerfile:1
#
# One image for the api and the i'mport sandbox (the sandbox is the same image with another
# command; see docker-compose.yml). Multi-stage: the build stage compiles TypeScript with the dev
# dependencies; the runtime stage has the compiled output and the production dependencies only,
# and runs as the unprivileged `node` user.
#
#   docker build -t iamport-identity-backend .
#   docker run --rm -p 3000:3000 --env-file .env iamport-identity-backend
#   docker run --rm -p 4010:4010 -e SANDBOX_HOST=0.0.0.0 iamport-identity-backend node dist/apps/iamport-sandbox/src/main.js

# Node 24, the active LTS (the api also runs on 20.19+ and 22; CI tests 20 and 24).
ARG NODE_IMAGE=node:24-bookworm-slim

# ---- build: all dependencies, then `npm run build` (nest build, nest-cli.json) -> dist/
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY apps ./apps
COPY libs ./libs
COPY migrations ./migrations
COPY scripts ./scripts
COPY bench ./bench
# dist/embedded (the embedded database's template, 39 MB) serves `npm start` only: the image runs
# with NODE_ENV=production, which refuses the embedded database.
RUN npm run build && rm -rf dist/embedded

# ---- deps: production dependencies only
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# ---- runtime
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/app/.data
WORKDIR /app
COPY --from=deps --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --chown=node:node package.json ./
# DATA_DIR: only used without DATABASE_URL (embedded PGlite and its generated keys).
RUN mkdir -p -m 0700 /app/.data && chown node:node /app/.data
USER node
EXPOSE 3000
# Liveness only (no dependency): the image has no curl, so Node's fetch does the probe.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/apps/api/src/main.js"]
