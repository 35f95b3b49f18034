# The application image: zhimai-fcgi, zhimai-worker, zhimai-migrate, zhimai-admin
# (and zhimai-extract, which the worker runs).  docker-compose.yml runs it
# beside MariaDB and nginx; nginx serves the SPA (www/dist) itself.
FROM debian:12 AS build
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      build-essential cmake pkg-config libfcgi-dev libmariadb-dev libjson-c-dev libcurl4-openssl-dev \
      libsodium-dev libjwt-dev libssl-dev libargon2-dev libpoppler-glib-dev libzip-dev libxml2-dev libespeak-ng-dev && rm -rf /var/lib/apt/lists/*
COPY . /src
WORKDIR /src
# the release preset (CMakePresets.json) into /src/build, then cmake --install's
# layout: the programs in bin/, what they read in share/zhimai/ (CMakeLists.txt)
RUN cmake --preset release && cmake --build --preset release -j"$(nproc)" \
      --target zhimai-fcgi zhimai-worker zhimai-migrate zhimai-admin zhimai-extract \
    && cmake --install build --prefix /opt/zhimai

FROM debian:12
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libfcgi0ldbl libmariadb3 libjson-c5 libcurl4 libsodium23 libjwt0 libssl3 libargon2-1 ca-certificates \
      libpoppler-glib8 libzip4 libxml2 poppler-data libespeak-ng1 espeak-ng-data \
    && rm -rf /var/lib/apt/lists/* && useradd --system --home /srv/zhimai zhimai
COPY --from=build /opt/zhimai/bin/ /usr/local/bin/
# migrations/, fcgi/analysis/data/, conf/: the configuration's relative defaults hold here
COPY --from=build /opt/zhimai/share/zhimai/ /srv/zhimai/
WORKDIR /srv/zhimai
USER zhimai
CMD ["zhimai-fcgi"]
