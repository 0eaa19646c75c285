# TaskForge container image: `docker build -t taskforge .`
#
#   docker run -p 8080:8080 -v taskforge-data:/data \
#     -e TASKFORGE_JWT_SECRET_FILE=/run/secrets/jwt -v "$PWD/jwt.secret:/run/secrets/jwt:ro" \
#     taskforge
#
# Two stages: a Rust builder whose dependency layer is cached separately from our sources,
# and a slim Debian runtime holding only the binary, running as an unprivileged user, with
# the database on a volume. See docs/operations.md for every setting.

ARG RUST_VERSION=1.95

# ---- builder --------------------------------------------------------------------------------
FROM rust:${RUST_VERSION}-bookworm AS builder
WORKDIR /build

# 1. Dependencies only. Copy the manifests, give every workspace member an empty target and
#    build: this layer is reused until Cargo.toml or Cargo.lock changes. (A new workspace
#    member must be added here too.)
COPY Cargo.toml Cargo.lock ./
COPY crates/app/Cargo.toml crates/app/
COPY crates/crypto/Cargo.toml crates/crypto/
COPY crates/domain/Cargo.toml crates/domain/
COPY crates/http/Cargo.toml crates/http/
COPY crates/memory/Cargo.toml crates/memory/
COPY crates/sqlite/Cargo.toml crates/sqlite/
COPY crates/web/Cargo.toml crates/web/
COPY tests/Cargo.toml tests/
RUN for member in crates/app crates/crypto crates/domain crates/http crates/memory crates/sqlite crates/web tests; do \
        mkdir -p "$member/src" && touch "$member/src/lib.rs"; \
    done \
    && echo 'fn main() {}' > crates/app/src/main.rs \
    && cargo build --release --locked --package taskforge-app --bin taskforge

# 2. Our sources. The migrations are embedded into the binary at compile time. `touch` makes
#    every source newer than the stubs' build, so cargo rebuilds our crates, not only links.
COPY crates crates
COPY migrations migrations
RUN find crates -name '*.rs' -exec touch {} + \
    && cargo build --release --locked --package taskforge-app --bin taskforge \
    && strip target/release/taskforge

# ---- busybox: one static wget for the health check ------------------------------------------
# The slim runtime has no HTTP client; a static busybox (musl build, ~1 MB) is the smallest
# one that can call /health, without apt-get or a shell script.
FROM busybox:1.36.1-musl AS busybox

# ---- runtime --------------------------------------------------------------------------------
FROM debian:bookworm-slim AS runtime

# An unprivileged user with a fixed id (so volume permissions are predictable) that owns /data.
RUN groupadd --system --gid 10001 taskforge \
    && useradd --system --uid 10001 --gid taskforge --home-dir /data --no-create-home \
        --shell /usr/sbin/nologin taskforge \
    && mkdir /data \
    && chown taskforge:taskforge /data

COPY --from=busybox /bin/busybox /usr/local/bin/busybox
COPY --from=builder /build/target/release/taskforge /usr/local/bin/taskforge

# Listen on every interface inside the container; keep the database on the volume. Logs go to
# standard error as JSON lines for the log shipper. TASKFORGE_JWT_SECRET (or _FILE) must be
# given at run time: without it every restart logs everyone out.
ENV TASKFORGE_BIND=0.0.0.0:8080 \
    TASKFORGE_DATABASE=/data/taskforge.db \
    TASKFORGE_LOG=json

VOLUME ["/data"]
EXPOSE 8080
USER 10001:10001
WORKDIR /data

# Liveness only (/health); load balancers should route on /ready. The port must match
# TASKFORGE_BIND.
HEALTHCHECK --interval=30s --timeout=3s --start-period=15s --retries=3 \
    CMD ["/usr/local/bin/busybox", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/health"]

# SIGTERM (docker stop) drains in-flight requests for TASKFORGE_SHUTDOWN_GRACE (30s).
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/taskforge"]
CMD ["serve"]
