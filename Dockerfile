# syntax=docker/dockerfile:1
# Multi-stage build. The builder type-checks the server (the runtime runs its TypeScript sources
# through tsx, as `npm start` does) and builds the admin SPA and the tracking client; the runtime
# image carries production dependencies, the server sources, migrations, ops scripts and the two
# built front-ends. One image serves every docker-compose service: migrate, api and worker.

FROM node:20-bookworm AS builder
WORKDIR /app
COPY package.json package-lock.json ./
# The lock file names every platform's optional native packages, so `npm ci` installs this one's.
RUN npm ci --no-audit --no-fund
COPY . .
# server (type-check only: nothing to emit), then the tracking client and the dashboard
RUN npx tsc -p tsconfig.json --noEmit \
 && npm run build:tracking \
 && npm run build:admin

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
# argon2 and better-sqlite3 ship prebuilt binaries; the toolchain is only a fallback and is removed again.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ \
 && npm ci --omit=dev --no-audit --no-fund \
 && apt-get purge -y python3 make g++ && apt-get autoremove -y && rm -rf /var/lib/apt/lists/* /root/.npm
COPY tsconfig.json ./
COPY server ./server
COPY db ./db
COPY scripts ./scripts
COPY --from=builder /app/tracking-client/dist ./tracking-client/dist
COPY --from=builder /app/admin-ui/dist ./admin-ui/dist
# Sources stay root-owned (read-only for the app); ./data is the embedded SQLite default's folder.
RUN mkdir -p /app/data && chown node:node /app/data
USER node
# 3000: the API (PORT); 3001: a worker's health and metrics listener (WORKER_PORT)
EXPOSE 3000 3001
# Ready on whichever of the two ports this process serves (api: PORT, worker: WORKER_PORT).
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD node -e "const e=process.env;Promise.any([e.PORT||3000,e.WORKER_PORT||3001].map(p=>fetch('http://127.0.0.1:'+p+'/readyz').then(r=>{if(!r.ok)throw r.status}))).then(()=>process.exit(0),()=>process.exit(1))"
CMD ["node", "--max-semi-space-size=32", "--import", "tsx", "server/src/main.ts", "api"]
