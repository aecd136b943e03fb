# The app's production image: one image for the web process (the CMD below) and for the job workers (the same image
# with `npm run worker` as its command); PostgreSQL by DATABASE_URL. How to run it: docs/deployment.md.
# tests/integration/production-start.test.ts runs this CMD (`npm run docker-start`: `npm run setup`, then `npm start`)
# on the build and checks that this file's CMD is exactly that.

FROM node:20-bookworm-slim AS build
WORKDIR /app
# npm 11, as package-lock.json and package.json's allowScripts expect; a compiler for better-sqlite3 should it have no
# prebuilt binary for this platform.
RUN npm install -g npm@11 \
 && apt-get update && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# Without install scripts (the project's postinstall would migrate a database), then better-sqlite3's native build.
RUN npm ci --ignore-scripts --no-audit --no-fund && npm rebuild better-sqlite3
COPY . .
# The Prisma clients, the build, then the development dependencies go (the prisma CLI stays: `npm run setup` uses it).
RUN node scripts/setup.mjs --generate-only \
 && npm run build \
 && npm prune --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force

FROM node:20-bookworm-slim
RUN npm install -g npm@11 && npm cache clean --force
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000
COPY --from=build --chown=node:node /app /app
USER node
EXPOSE 3000
# Web: applies pending migrations, then serves (SIGTERM from `docker stop` reaches the server through npm: exit 0).
# Workers: `docker run <image> npm run worker` with WORKER=separate given to the web container.
CMD ["npm", "run", "docker-start"]
