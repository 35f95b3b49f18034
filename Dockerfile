# The application image: zhimai-fcgi, zhimai-worker, zhimai-migrate, zhimai-admin.
# (docker-compose.yml runs it beside MariaDB and nginx.)
FROM debian:12 AS build
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      build-essential cmake pkg-config libfcgi-dev libmariadb-dev libjson-c-dev libcurl4-openssl-dev \
      libsodium-dev libjwt-dev libssl-dev libargon2-dev libpoppler-glib-dev libzip-dev libxml2-dev && rm -rf /var/lib/apt/lists/*
COPY . /src
RUN cmake -S /src -B /build -DCMAKE_BUILD_TYPE=Release && cmake --build /build -j"$(nproc)" \
      --target zhimai-fcgi zhimai-worker zhimai-migrate zhimai-admin zhimai-extract

FROM debian:12
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libfcgi0ldbl libmariadb3 libjson-c5 libcurl4 libsodium23 libjwt0 libssl3 libargon2-1 ca-certificates \
      libpoppler-glib8 libzip4 libxml2 poppler-data \
    && rm -rf /var/lib/apt/lists/* && useradd --system --home /srv/zhimai zhimai
COPY --from=build /build/zhimai-fcgi /build/zhimai-worker /build/zhimai-migrate /build/zhimai-admin \
     /build/zhimai-extract /usr/local/bin/
COPY fcgi/analysis/data /srv/zhimai/fcgi/analysis/data
COPY migrations /srv/zhimai/migrations
WORKDIR /srv/zhimai
USER zhimai
CMD ["zhimai-fcgi"]
