# syntax=docker/dockerfile:1
# aftercare on an empty base image: one static binary, the CA certificates it
# needs for the push services' HTTPS, and the data volume.
#
#   docker build -t aftercare .
#   docker run -d --name aftercare -p 127.0.0.1:8080:8080 -v aftercare-data:/data \
#     -e AFTERCARE_BASE_URL=https://care.example.org -e AFTERCARE_VAPID_SUBJECT=ops@example.org aftercare
#
# Behind Caddy with automatic HTTPS: cmd/aftercare/deploy/compose.yaml.
# cmd/aftercare/dockerfile_test.go checks this file; cmd/aftercare/emptyroot_test.go
# runs the same build in a root holding only what the final stage copies.

# The Go release go.mod asks for.
ARG GO_VERSION=1.26.8

FROM --platform=$BUILDPLATFORM golang:${GO_VERSION} AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# Cross-compiles for the image's platform (docker buildx build --platform linux/arm64 …).
ARG TARGETOS TARGETARCH
# Static: no cgo, so no libc or loader is needed at run time. Time zones
# (time/tzdata), the app and the stretch library are embedded in the binary.
RUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -trimpath -ldflags='-s -w' -o /rootfs/usr/local/bin/aftercare ./cmd/aftercare
# The whole final filesystem, assembled here so that modes and owners carry
# over (COPY keeps them for what is inside the copied directory): /data is
# private to the unprivileged user the server runs as.
RUN mkdir -p /rootfs/etc/ssl/certs /rootfs/data \
	&& cp /etc/ssl/certs/ca-certificates.crt /rootfs/etc/ssl/certs/ca-certificates.crt \
	&& chown 10001:10001 /rootfs/data \
	&& chmod 0700 /rootfs/data

FROM scratch
COPY --from=build /rootfs/ /
# A numeric user: scratch has no /etc/passwd, and nothing here needs a name.
USER 10001:10001
ENV AFTERCARE_DATA=/data AFTERCARE_ADDR=:8080
VOLUME /data
EXPOSE 8080
# No shell or curl in scratch: the binary checks itself (GET /healthz on loopback,
# at the port AFTERCARE_ADDR names).
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 CMD ["/usr/local/bin/aftercare", "healthcheck"]
# SIGTERM (the default): in-flight requests finish, the reminder clock stops,
# the database closes. Give it time: docker stop -t 30, compose stop_grace_period.
ENTRYPOINT ["/usr/local/bin/aftercare"]
CMD ["serve"]
