# citystream: one image, every role; the role is chosen by CITYSTREAM_ROLES at run time.
# ffmpeg is the system one (camera ingest); fonts for the demo cameras' clock overlay.
FROM node:20-bookworm-slim

RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg fonts-liberation fonts-wqy-microhei ca-certificates \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: the build step below runs after the sources are copied
RUN npm ci --no-audit --no-fund --ignore-scripts && npm rebuild esbuild
COPY . .
RUN if npm run | grep -q '^  build$'; then npm run build; fi

ENV NODE_ENV=production \
    CITYSTREAM_HTTP_PORT=8080 \
    CITYSTREAM_DATA_DIR=/var/lib/citystream
RUN mkdir -p /var/lib/citystream && chown node:node /var/lib/citystream
USER node
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --retries=6 \
  CMD node -e "fetch('http://127.0.0.1:8080/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["node", "cli/citystream.mjs"]
CMD ["start"]
