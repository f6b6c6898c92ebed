FROM postgres:16 AS db
FROM db
COPY x /var/lib/postgresql/data
