# Shared by bin/demo and bin/test: a project virtualenv in .venv with the project installed.
ensure_venv() {
  local extras="${1:-}"
  if ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
    need_apt python3-venv
  fi
  if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
  fi
  local stamp=".venv/.installed${extras:+-$extras}"
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ constraints.txt -nt "$stamp" ]; then
    # the venv's own pip (no upgrade: the path a new user takes); versions pinned by constraints.txt (bin/lock)
    .venv/bin/python -m pip install -q -c constraints.txt -e ".${extras:+[$extras]}"
    touch "$stamp"
  fi
}

# need_apt PKG... : install Debian packages that are missing (needs root, as on CI).
need_apt() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "installing Debian packages: ${missing[*]}" >&2
  # wait for another apt/dpkg run (parallel jobs on one machine) instead of failing on its lock
  $sudo apt-get -o DPkg::Lock::Timeout=900 update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
