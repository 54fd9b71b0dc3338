# hookcheck's container image, built from source:
#
#   docker build -t hookcheck --build-arg VERSION=0.2.0 .
#   docker run --rm --network host -v "$PWD:/work" --user "$(id -u):$(id -g)" hookcheck run --target URL
#
# The binary is static (CGO_ENABLED=0), built with -trimpath and its version
# stamped; the final stage is distroless static (CA certificates, a nonroot
# user, nothing else). Reports go to /work/hookcheck-report, so mount the
# directory you want them in at /work. Release images are built by
# goreleaser (and `make image`) from Dockerfile.release instead, around the
# already built release binary.

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=""
RUN CGO_ENABLED=0 go build -trimpath \
      -ldflags "-s -w -X github.com/hookcheck/hookcheck.releaseVersion=${VERSION}" \
      -o /out/hookcheck ./cmd/hookcheck

FROM gcr.io/distroless/static-debian12:nonroot
ARG VERSION=""
LABEL org.opencontainers.image.title="hookcheck" \
      org.opencontainers.image.description="Checks that a webhook receiver survives AssemblyAI's real delivery behaviour" \
      org.opencontainers.image.source="https://github.com/hookcheck/hookcheck" \
      org.opencontainers.image.documentation="https://github.com/hookcheck/hookcheck/blob/main/docs/ci.md" \
      org.opencontainers.image.version="${VERSION}"
COPY --from=build /out/hookcheck /usr/local/bin/hookcheck
WORKDIR /work
USER 65532:65532
ENTRYPOINT ["hookcheck"]
CMD ["--help"]
