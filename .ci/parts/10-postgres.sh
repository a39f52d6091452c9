# PostgreSQL (Debian's, v15) for the tests that run the store on its second
# database. Sourced by .ci/run with `set -euo pipefail`; safe to run again on
# the same machine (the cluster may be running, the role and database may
# exist). Exports INVENTERA_TEST_DATABASE_URL, which makes storetest put every
# test on a fresh schema of this database.

pg_role=inventera
pg_password=inventera
pg_db=inventera_test

if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi

# The newest installed server version, and its "main" cluster (created if the
# package's postinst did not create one).
pg_version=$(ls /usr/lib/postgresql | sort -V | tail -1)
if ! pg_lsclusters -h | awk -v v="$pg_version" '$1 == v && $2 == "main" {found=1} END {exit !found}'; then
  pg_createcluster "$pg_version" main >/dev/null
fi
pg_port=$(pg_lsclusters -h | awk -v v="$pg_version" '$1 == v && $2 == "main" {print $3}')
if ! pg_lsclusters -h | awk -v v="$pg_version" '$1 == v && $2 == "main" && $4 == "online" {found=1} END {exit !found}'; then
  pg_ctlcluster "$pg_version" main start
fi

for _ in $(seq 1 60); do
  if pg_isready -q -h 127.0.0.1 -p "$pg_port"; then break; fi
  sleep 1
done
pg_isready -h 127.0.0.1 -p "$pg_port"

pg_psql() { (cd / && runuser -u postgres -- psql -p "$pg_port" -v ON_ERROR_STOP=1 -qAtX "$@"); }

pg_psql -d postgres -c "DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$pg_role') THEN
    CREATE ROLE $pg_role LOGIN PASSWORD '$pg_password';
  ELSE
    ALTER ROLE $pg_role LOGIN PASSWORD '$pg_password';
  END IF;
END \$\$;"
if [ -z "$(pg_psql -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$pg_db'")" ]; then
  # UTF-8 whatever the machine's locale, and Swedish collation (ICU), as a
  # Swedish installation would have: the store's results must not depend
  # on it (it orders text by code point, as SQLite does), and the tests
  # would notice if they did.
  pg_psql -d postgres -c "CREATE DATABASE $pg_db OWNER $pg_role ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE 'sv-SE' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8' TEMPLATE template0"
fi

export INVENTERA_TEST_DATABASE_URL="postgres://$pg_role:$pg_password@127.0.0.1:$pg_port/$pg_db?sslmode=disable"
echo "PostgreSQL $pg_version on 127.0.0.1:$pg_port, INVENTERA_TEST_DATABASE_URL set"
