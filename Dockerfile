# syntax=docker/dockerfile:1
# Build: cgo is needed for SQLite (mattn/go-sqlite3).
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=1 go build -trimpath -ldflags="-s -w" -o /out/inventera ./cmd/inventera

# Run: a small Debian with the C library the binary links against.
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates tzdata \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin inventera \
 && mkdir -p /data && chown inventera:inventera /data
COPY --from=build /out/inventera /usr/local/bin/inventera
USER inventera
WORKDIR /data
VOLUME ["/data"]
ENV INVENTERA_DB=/data/inventera.db
EXPOSE 8080
ENTRYPOINT ["inventera", "serve"]
CMD ["--addr", ":8080"]
