# The operator image: the shaded jar on Debian's Java 17 runtime, run as a non-root user.
#
#   make build                                   # operator/target/appserver-operator.jar
#   docker build -t appserver-operator:0.1.0 .
#
# The jar is built by Maven outside the image (make build, or CI), so the image holds only what
# runs, and the same file builds with any OCI builder (hack/images.sh builds it as it is, without
# a Docker engine). The chart (helm/appserver-operator) runs it with a read-only root filesystem
# and an emptyDir on /tmp; JVM options come from JAVA_OPTS (the chart's jvmOptions). JAVA_OPTS
# rather than JAVA_TOOL_OPTIONS, which makes the JVM print a non-JSON line into JSON logs.
FROM debian:bookworm-slim

# The slim base has no /usr/share/man, where the JRE's postinst links java.1 (Debian #863199).
RUN mkdir -p /usr/share/man/man1 \
 && apt-get update \
 && apt-get install -y --no-install-recommends openjdk-17-jre-headless \
 && rm -rf /var/lib/apt/lists/*

LABEL org.opencontainers.image.title="appserver-operator" \
      org.opencontainers.image.description="Kubernetes operator that runs Python WSGI applications under Gunicorn"
WORKDIR /app
COPY operator/target/appserver-operator.jar /app/appserver-operator.jar
# Class data sharing: the classes a start loads (the client and its HTTP stack, the controller,
# the model, admission rules, JSON and YAML mappers, the client's resource types), parsed once
# here into an archive that every start maps instead of loading them again. `warm-up` builds the
# operator and renders an AppServer without a cluster; the archive is rebuilt with the jar, so it
# never goes stale. See docs/operations.md (Scale, memory and JVM options).
RUN java -XX:ArchiveClassesAtExit=/app/appserver-operator.jsa -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
      -jar /app/appserver-operator.jar warm-up >/dev/null
# A numeric user, so runAsNonRoot can be verified; HOME for a user without a passwd entry.
# Two malloc arenas instead of one per core and thread: the JVM's native memory stays small.
ENV HOME=/tmp MALLOC_ARENA_MAX=2
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["sh", "-c", "exec java -XX:SharedArchiveFile=/app/appserver-operator.jsa $JAVA_OPTS -jar /app/appserver-operator.jar \"$@\"", "appserver-operator"]
CMD ["run"]
