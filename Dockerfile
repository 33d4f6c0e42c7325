# syntax=docker/dockerfile:1
# pilotfish image: compiled JavaScript on Node 20 slim, production dependencies only, non-root.
# Build: docker build -t ghcr.io/pilotfish/pilotfish:0.1.0 .

FROM node:20-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
RUN npx tsc -p tsconfig.json

FROM node:20-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:20-slim
WORKDIR /app
ENV NODE_ENV=production PILOTFISH_DIST=1
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY profiles ./profiles
# 65532 is the conventional "nonroot" uid; the chart's securityContext runs as it with a read-only root.
USER 65532:65532
EXPOSE 15017
ENTRYPOINT ["node", "/app/bin/pilotfish.mjs"]
CMD ["serve"]
