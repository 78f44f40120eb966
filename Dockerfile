# syntax=docker/dockerfile:1
# The onair operator image: built with the Rust toolchain, run from distroless
# (glibc, CA certificates, no shell, no package manager) as the nonroot user
# (65532), with a read-only root filesystem (the Helm chart sets it; onair
# writes no files).
#
#   docker build -t onair:dev .
#   docker run --rm onair:dev --help
#
# Both stages are Debian 12 (bookworm), so the binary links against the glibc
# the runtime image has. TLS is rustls with ring: no OpenSSL at build or run time.

ARG RUST_VERSION=1.95.0

FROM docker.io/library/rust:${RUST_VERSION}-slim-bookworm AS builder
WORKDIR /build
# Dependencies first: this layer is reused while only onair's own code changes.
COPY Cargo.toml Cargo.lock ./
RUN mkdir src \
    && echo 'fn main() {}' > src/main.rs \
    && touch src/lib.rs \
    && cargo build --release --locked --no-default-features --features aws-sdk \
    && rm -rf src
COPY src ./src
# The operator build leaves out the sandbox (the AWS simulation, the local API
# server, `onair sandbox` and `onair bench`): no test double in the image.
# src/bench.rs embeds the shipped examples.
COPY examples ./examples
RUN touch src/main.rs src/lib.rs \
    && cargo build --release --locked --no-default-features --features aws-sdk --bin onair \
    && install -m 0555 target/release/onair /onair

FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=builder /onair /onair
USER 65532:65532
# /healthz, /readyz and /metrics (the chart's healthPort).
EXPOSE 8080
ENTRYPOINT ["/onair", "run"]
