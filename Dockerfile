# syntax=docker/dockerfile:1
# Multi-stage build: the builder compiles the admin SPA and the tracking client; the runtime image
# carries production dependencies, the server sources (run through tsx) and the built front-ends.

FROM node:20-bookworm AS builder
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ \
 && npm ci --omit=dev --no-audit --no-fund \
 && apt-get purge -y python3 make g++ && apt-get autoremove -y && rm -rf /var/lib/apt/lists/* /root/.npm
COPY tsconfig.json ./
COPY server ./server
COPY db ./db
COPY scripts ./scripts
COPY --from=builder /app/tracking-client/dist ./tracking-client/dist
COPY --from=builder /app/admin-ui/dist ./admin-ui/dist
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "--import", "tsx", "server/src/main.ts", "api"]
