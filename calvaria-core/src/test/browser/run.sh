#!/usr/bin/env bash
# End-to-end test of 'calvaria serve' in a real headless browser (Debian's chromium, driven by playwright-core).
#
# Starts the web server from the built jar with the real design pipeline and bundled model (TestServerMain --real),
# runs e2e.mjs
# against it, and stops it. Run after 'mvn verify' (or it builds what it needs). Exit status: 0 when every test
# passed, 1 when one failed; 0 with a SKIPPED line only when chromium is missing and cannot be installed.
#
#   calvaria-core/src/test/browser/run.sh                       # the test
#   calvaria-core/src/test/browser/run.sh --update-screenshot   # and copy the screenshot to docs/web-app.png
#
# Never downloads a browser: playwright-core drives /usr/bin/chromium (override with CHROMIUM=...).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"   # the calvaria-core module
repo="$(cd "$root/.." && pwd)"
chromium="${CHROMIUM:-/usr/bin/chromium}"
update_screenshot=0
for arg in "$@"; do
  case "$arg" in
    --update-screenshot) update_screenshot=1 ;;
    *) echo "run.sh: unknown argument '$arg' (known: --update-screenshot)" >&2; exit 2 ;;
  esac
done

# 1. The browser: Debian's chromium, installed with apt-get when missing.
if [ ! -x "$chromium" ]; then
  echo "browser test: $chromium is missing; installing Debian's chromium with apt-get..."
  sudo=""
  if [ "$(id -u)" != 0 ]; then sudo="sudo -n"; fi
  if command -v apt-get >/dev/null 2>&1 \
      && $sudo apt-get update -q >/tmp/calvaria-apt.log 2>&1 \
      && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q chromium >>/tmp/calvaria-apt.log 2>&1 \
      && [ -x "$chromium" ]; then
    echo "browser test: chromium installed"
  fi
  if [ ! -x "$chromium" ]; then
    echo "SKIPPED: browser test: chromium is not installed and apt-get could not install it (see /tmp/calvaria-apt.log);"
    echo "SKIPPED: install it with 'apt-get install chromium' to run this test."
    exit 0
  fi
fi

# 2. Node and playwright-core (from package-lock.json; playwright-core downloads no browser).
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "browser test FAILED: node and npm are needed (apt-get install nodejs npm)" >&2
  exit 1
fi
if [ ! -f "$here/node_modules/playwright-core/package.json" ]; then
  echo "browser test: installing playwright-core with npm ci..."
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
fi

# 3. The server: the built jar plus the test classes (TestServerMain, FakeDesignService).
jar="$root/target/calvaria.jar"
if [ ! -f "$jar" ] || [ ! -f "$root/target/test-classes/org/calvaria/web/TestServerMain.class" ] \
    || [ -n "$(find "$repo/pom.xml" "$root/pom.xml" "$root/src/main" "$root/src/test/java" -newer "$jar" -print -quit 2>/dev/null)" ]; then
  echo "browser test: building the jar and test classes (missing or older than the sources)..."
  (cd "$root" && mvn -q -B -DskipTests package)
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/calvaria-browser-test.XXXXXX")"
out="$root/target/browser-test"
mkdir -p "$out"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

started=$(date +%s)
java -Xmx1g -cp "$jar:$root/target/test-classes" org.calvaria.web.TestServerMain \
  --fixtures "$work/fixtures" --max-upload-mb 2 --real --also-fake --stage-delay-ms 500 >"$work/server.log" 2>&1 &
server_pid=$!

url=""
for _ in $(seq 1 300); do
  url="$(sed -n 's/^CALVARIA_TEST_SERVER_URL=//p' "$work/server.log" | head -n 1)"
  if [ -n "$url" ]; then break; fi
  if ! kill -0 "$server_pid" 2>/dev/null; then break; fi
  sleep 0.2
done
if [ -z "$url" ]; then
  echo "browser test FAILED: the test server did not start; its output:" >&2
  cat "$work/server.log" >&2
  exit 1
fi
fake_url="$(sed -n 's/^CALVARIA_TEST_FAKE_URL=//p' "$work/server.log" | head -n 1)"
echo "browser test: server at $url (fake pipeline at $fake_url)"

status=0
# pipefail (set above) makes the pipeline fail when node does.
# --classpath: e2e.mjs starts servers of its own for the workspace test (stop, start again, same folder).
node "$here/e2e.mjs" --url "$url" --fake-url "$fake_url" --fixtures "$work/fixtures" --out "$out" --chromium "$chromium" \
  --classpath "$jar:$root/target/test-classes" --work "$work" \
  | tee "$work/e2e.log" || status=$?

if [ "$status" != 0 ]; then
  echo "browser test: server log:"
  cat "$work/server.log"
fi
if [ "$status" = 0 ] && [ "$update_screenshot" = 1 ]; then
  mkdir -p "$repo/docs"
  cp "$out/web-app.png" "$repo/docs/web-app.png"
  cp "$out/web-app-side-hole-verdict.png" "$repo/docs/web-app-verdict.png"
  cp "$out/web-app-clip.png" "$repo/docs/web-app-clip.png"
  cp "$out/web-app-thickness.png" "$repo/docs/web-app-thickness.png"
  cp "$out/web-app-mould.png" "$repo/docs/web-app-mould.png"
  echo "browser test: screenshots copied to docs/ (web-app.png, web-app-verdict.png, web-app-clip.png, web-app-thickness.png,"
  echo "  web-app-mould.png)"
fi
echo "browser test: done in $(( $(date +%s) - started )) s (screenshot and downloads in calvaria-core/target/browser-test/)"
summary="$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$work/e2e.log" | tail -n 1 || true)"
echo "browser: ${summary:-0 passed, 1 failed}"
exit "$status"
