# syntax=docker/dockerfile:1
# pilotfish image: the esbuild bundle (dist/) on a supported Node LTS, production dependencies only, non-root.
# Build: docker build -t ghcr.io/pilotfish/pilotfish:0.1.0 .
# The code targets Node >= 20 (package.json engines); NODE_IMAGE picks the runtime (24 is the LTS with the
# longest support left; node:22-slim works too).
ARG NODE_IMAGE=node:24-slim

# 1. Build: every dependency (esbuild comes with the dev dependencies), then the bundle.
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts/build.mjs ./scripts/
COPY src ./src
RUN node scripts/build.mjs

# 2. Production dependencies only (no esbuild, tsx, typescript, test tools).
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# 3. Runtime: node_modules (production) + dist + bin + profiles + charts (the shipped CRDs are read at run time).
FROM ${NODE_IMAGE}
WORKDIR /app
ENV NODE_ENV=production
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
COPY profiles ./profiles
COPY charts ./charts
COPY --from=build /src/dist ./dist
# 65532 is the conventional "nonroot" uid; the chart's securityContext runs as it with a read-only root.
USER 65532:65532
EXPOSE 15017 15014
ENTRYPOINT ["node", "/app/bin/pilotfish.mjs"]
CMD ["serve"]
