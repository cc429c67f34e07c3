# citystream: one image, every role; the role is chosen by CITYSTREAM_ROLES at run time.
#   docker build -t citystream .   then   docker run --init -p 8080:8080 citystream
# Two stages: `build` installs every dependency and runs `npm run build` (tsc → dist/, esbuild →
# web/dist); `runtime` holds production dependencies, dist/ and web/dist only, and runs them with
# plain node: no TypeScript, tsx or esbuild in the image.
ARG NODE_IMAGE=node:24-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
# --ignore-scripts: prepare (the build) needs the sources, copied below. esbuild's own install
# script (it checks its platform binary) is then run on its own.
RUN npm ci --no-audit --no-fund --ignore-scripts && npm rebuild esbuild
COPY . .
RUN npm run build

FROM ${NODE_IMAGE} AS runtime
# ffmpeg for the camera ingest: the system one, found on PATH first (modules/cameras/ffmpeg-binary.ts;
# CITYSTREAM_FFMPEG_PATH overrides). Fonts for the demo cameras' clock overlay; CA certificates for
# HTTPS pull sources and JWKS.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg fonts-liberation fonts-wqy-microhei ca-certificates \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
# --omit=dev: no compiler or bundler. --omit=optional: the only optional packages are
# @ffmpeg-installer's static ffmpeg builds (66 MB, redundant beside the system ffmpeg) and
# pg-cloudflare (Cloudflare Workers only). --ignore-scripts: nothing to build or fetch here.
RUN npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force
COPY --from=build /src/dist ./dist
COPY --from=build /src/web/dist ./web/dist

ENV CITYSTREAM_HTTP_PORT=8080 \
    CITYSTREAM_DATA_DIR=/var/lib/citystream
RUN mkdir -p /var/lib/citystream && chown node:node /var/lib/citystream
VOLUME /var/lib/citystream
# the node image's unprivileged user (uid 1000); the code and dependencies stay root-owned, read-only to it
USER node
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=6 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.CITYSTREAM_HTTP_PORT + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "dist/cli/main.js"]
CMD ["start"]
