# LibreOffice Calc re-saves the workbooks inventera writes, as a municipal
# user's spreadsheet program would, for the round-trip tests in internal/sheet.
if ! command -v soffice >/dev/null 2>&1; then
  if [ -z "${INVENTERA_APT_UPDATED:-}" ]; then
    apt-get update -qq
    export INVENTERA_APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libreoffice-calc >/dev/null
fi
soffice --version
export INVENTERA_TEST_LIBREOFFICE=1
