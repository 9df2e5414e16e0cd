FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build:web
ENV HOST=0.0.0.0 DATA_DIR=/data
EXPOSE 8080 5027/tcp 5027/udp 5023 5004/tcp 5004/udp 5055
CMD ["npx", "tsx", "main.ts"]
