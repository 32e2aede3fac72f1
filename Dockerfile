# syntax=docker/dockerfile:1
# The operator image: the shaded jar built with Maven, run on a JRE as a non-root user.
#
#   docker build -t appserver-operator:0.1.0 .
#
# The chart (helm/appserver-operator) runs it as "run" with a read-only root filesystem and an
# emptyDir on /tmp; JVM options come from JAVA_OPTS (the chart's jvmOptions). JAVA_OPTS rather
# than JAVA_TOOL_OPTIONS, which makes the JVM print a non-JSON line into JSON logs.

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml ./
COPY operator/pom.xml operator/
COPY operator/src/main operator/src/main
# Tests need a cluster and run in CI (make test), not here. The cache mount keeps downloaded
# dependencies between builds.
RUN --mount=type=cache,target=/root/.m2 \
    mvn -B -q -pl operator -am package -Dmaven.test.skip=true

FROM eclipse-temurin:17-jre
LABEL org.opencontainers.image.title="appserver-operator" \
      org.opencontainers.image.description="Kubernetes operator that runs Python WSGI applications under Gunicorn"
WORKDIR /app
COPY --from=build /src/operator/target/appserver-operator.jar /app/appserver-operator.jar
# A numeric user, so runAsNonRoot can be verified; HOME for a user without a passwd entry.
ENV HOME=/tmp
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["sh", "-c", "exec java $JAVA_OPTS -jar /app/appserver-operator.jar \"$@\"", "appserver-operator"]
CMD ["run"]
