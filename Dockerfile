# One image, two roles: the Temporal worker (default CMD) and the webhook
# ingress (`node dist/ingress-main.js`, see docker-compose.yml).
#
# Debian (glibc) slim rather than Alpine: @temporalio/worker ships a prebuilt
# native core-bridge for linux-gnu, which does not load on musl.

############################
# build: install, compile, prune
############################
FROM node:24.22.3-bookworm-slim AS build
WORKDIR /app

# --ignore-scripts: our postinstall installs the Temporal CLI for local development and builds
# dist/ (which needs the sources, copied only below). In the image the server is the temporal
# container, and the build runs as its own step. No dependency needs its install script.
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/npm-cache npm_config_cache=/npm-cache npm ci --ignore-scripts --no-audit --no-fund

COPY tsconfig*.json ./
COPY src/ ./src/
COPY bin/ ./bin/
# The runtime only: the image ships no testing kit (kyc-orchestrator/testing is for apps' tests).
RUN npm run build:runtime \
 && npm prune --omit=dev --no-audit --no-fund

############################
# runtime
############################
FROM node:24.22.3-bookworm-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production

# Files stay root-owned (read-only for the app); only the process runs as the
# unprivileged `node` user that the base image provides.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin

# The ingress's durable inbox (KYC_INBOX_DIR): outside the read-only /app, owned by the
# runtime user. Mount a volume per ingress replica here (docker-compose.yml does): a named
# volume starts with this folder's owner, and its entries outlive the container.
RUN mkdir -p /var/lib/kyc/inbox && chown node:node /var/lib/kyc/inbox
ENV KYC_INBOX_DIR=/var/lib/kyc/inbox

USER node

# Informational: the ingress listens on PORT (3000). The worker opens no port.
EXPOSE 3000

# No image-level HEALTHCHECK on purpose: the same image runs the worker, which
# serves no HTTP, so a baked-in /readyz probe would mark it unhealthy. The
# ingress gets its probe in docker-compose.yml, using node itself (no curl in
# the slim image):
#   node -e "fetch('http://127.0.0.1:3000/readyz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"

CMD ["node", "dist/worker-main.js"]
