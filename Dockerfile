# The costline services (collectors, Streams app, sink) share one image: the shaded jar app/target/costline.jar,
# with the subcommand chosen by docker-compose's `command`.

FROM maven:3.9-eclipse-temurin-17 AS build
# gcc: the collectors module compiles a fake libnvidia-ml for its tests during the build.
RUN apt-get update -q && apt-get install -y -q --no-install-recommends gcc libc6-dev && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN mvn -B -ntp -q -DskipTests -pl app -am package && cp app/target/costline.jar /costline.jar

FROM eclipse-temurin:17-jre
# Tag the image with the project version (pom.xml <version>): deploy/kubernetes pins that tag, and
# KubernetesManifestsTest checks the pin against the version.
ARG COSTLINE_VERSION=0.1.0-SNAPSHOT
LABEL org.opencontainers.image.title="costline" org.opencontainers.image.version="${COSTLINE_VERSION}"
RUN useradd --system --uid 10001 --create-home --home-dir /home/costline costline \
    && mkdir -p /var/lib/costline && chown costline /var/lib/costline
COPY --from=build /costline.jar /opt/costline/costline.jar
COPY docker/costline-healthcheck /usr/local/bin/costline-healthcheck
USER costline
WORKDIR /home/costline
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-jar", "/opt/costline/costline.jar"]
CMD ["--help"]
