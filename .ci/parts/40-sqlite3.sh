# The sqlite3 command-line tool: the baseline of `inventera bench` and a way
# to look into a database file by hand.
if ! command -v sqlite3 >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sqlite3 >/dev/null
fi
sqlite3 --version
