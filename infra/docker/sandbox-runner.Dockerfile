# The sandbox-runner as a container for docker-compose.local.yml: it drives the host's Docker engine
# through the mounted socket. Build context: the repository root.
FROM node:22-bookworm-slim
ENV NODE_ENV=production PNPM_HOME=/pnpm PATH=/pnpm:$PATH
RUN npm install -g pnpm@12.4.2
WORKDIR /app
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml ./
COPY sandbox-runner/package.json sandbox-runner/
RUN pnpm install --frozen-lockfile --filter @samokoder/sandbox-runner --prod
COPY tsconfig.base.json ./
COPY sandbox-runner/src sandbox-runner/src
EXPOSE 8788
CMD ["node", "sandbox-runner/src/server.ts"]
