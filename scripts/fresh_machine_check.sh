#!/usr/bin/env bash
# Proves the README's two commands on a brand-new machine: makes a minimal Debian 12 root
# from scratch (mmdebstrap --variant=minbase bookworm, plus git and ca-certificates), mounts
# /proc, /sys and /dev, clones the commit under test into it and runs there, as a new user
# would:
#   1. scripts/run_resnet50.sh  -- the main job: setup, build, ResNet-50 exported, run, compared
#   2. scripts/test.sh          -- setup, build, all tests (--tests unit: the unit label only)
# Only the pristine base is cached, as a tarball holding nothing of the project; the root is
# new every run and is unmounted and removed afterwards, also when the check fails.
#
#   scripts/fresh_machine_check.sh [--tests full|unit|none] [--commit REV] [--keep]
#
# The root gets the host's package sources and nothing else: its apt sources and apt.conf.d,
# its pip configuration (and, read-only, the local package directories that configuration
# names), and the PIP_* and proxy variables. ONNXI_* variables are passed on (for example
# ONNXI_ZOO=0 or ONNXI_FUZZ_SECONDS=10 for a quicker full run). Must run as root.
# Environment: ONNXI_FRESH_CACHE (base tarball; /var/cache/onnxi-fresh), ONNXI_FRESH_WORK
# (where the root is made; /var/tmp/onnxi-fresh).
set -euo pipefail
root_dir=$(cd "$(dirname "$0")/.." && pwd)
tests=full
commit=HEAD
keep=0
while [ $# -gt 0 ]; do
  case $1 in
    --tests) tests=$2; shift 2 ;;
    --commit) commit=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "fresh_machine_check: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
case $tests in full|unit|none) ;; *) echo "fresh_machine_check: --tests takes full, unit or none" >&2; exit 2 ;; esac
[ "$(id -u)" -eq 0 ] || { echo "fresh_machine_check: must run as root (chroot, mounts)" >&2; exit 2; }
sha=$(git -C "$root_dir" rev-parse --verify "$commit^{commit}")
log() { echo "fresh-machine: $*"; }
t_start=$(date +%s)
timings=()
step="preparing the root"
stamp() { timings+=("$1: $(($(date +%s) - $2)) s"); }

# --- the host tools this check needs (mmdebstrap); not the project's --------------------------
if ! command -v mmdebstrap >/dev/null; then
  log "installing mmdebstrap on the host"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mmdebstrap >/dev/null
fi

# --- the pristine base: minbase + git, cached by what it is made of -------------------------
cache=${ONNXI_FRESH_CACHE:-/var/cache/onnxi-fresh}
mkdir -p "$cache"
sources=()
[ -f /etc/apt/sources.list ] && [ -s /etc/apt/sources.list ] && sources+=(/etc/apt/sources.list)
for f in /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
  [ -f "$f" ] && sources+=("$f")
done
[ ${#sources[@]} -gt 0 ] || { echo "fresh_machine_check: the host has no apt sources" >&2; exit 1; }
aptconf=()
for f in /etc/apt/apt.conf.d/*; do [ -f "$f" ] && aptconf+=("$f"); done
include=git,ca-certificates
key=$(cat "${sources[@]}" "${aptconf[@]}" <(echo "bookworm minbase $include v1") | sha256sum | cut -c1-16)
base=$cache/bookworm-minbase-$key.tar
t0=$(date +%s)
if [ ! -s "$base" ]; then
  log "making the pristine Debian 12 base ($base)"
  aptopts=()
  for f in "${aptconf[@]}"; do aptopts+=(--aptopt="$f"); done
  mmdebstrap --variant=minbase --include="$include" "${aptopts[@]}" bookworm "$base.tmp.tar" "${sources[@]}"
  mv "$base.tmp.tar" "$base"
else
  log "using the cached pristine base $base"
fi
stamp "base" "$t0"

# --- a new root, removed on every exit ------------------------------------------------------
work=${ONNXI_FRESH_WORK:-/var/tmp/onnxi-fresh}
mkdir -p "$work"
r=$(mktemp -d "$work/root.XXXXXX")
cleanup() {
  local rc=$?
  set +e
  [ $rc -eq 0 ] || echo "fresh-machine: FAILED (exit $rc) at: $step" >&2
  # nothing may keep running inside the root
  for p in /proc/[0-9]*; do
    [ "$(readlink "$p/root" 2>/dev/null)" = "$r" ] && kill -9 "${p#/proc/}" 2>/dev/null
  done
  umount -R "$r" 2>/dev/null || umount -R -l "$r" 2>/dev/null
  if grep -q " $r" /proc/self/mounts; then
    echo "fresh-machine: $r still has mounts; not removing it" >&2
  elif [ "$keep" = 1 ] && [ $rc -ne 0 ]; then
    echo "fresh-machine: kept $r for inspection (--keep)" >&2
  else
    rm -rf --one-file-system "$r"
  fi
  return $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mount --bind "$r" "$r"          # the root is a mount point, so one `umount -R` takes all below it
t0=$(date +%s)
tar --numeric-owner -xpf "$base" -C "$r"
stamp "unpack" "$t0"
mount -t proc proc "$r/proc"
mount --rbind /sys "$r/sys" && mount --make-rslave "$r/sys"
mount --rbind /dev "$r/dev" && mount --make-rslave "$r/dev"
cp -L /etc/resolv.conf "$r/etc/resolv.conf" 2>/dev/null || true

# certificate authorities the host trusts beyond Debian's set (a registry proxy's, say) become
# local CAs of the root, so that they survive any later update-ca-certificates there
one_per_line() { awk '/-----BEGIN CERTIFICATE-----/{c=""} {c=c $0} /-----END CERTIFICATE-----/{print c}' "$1" | sort -u; }
bundle=etc/ssl/certs/ca-certificates.crt
if [ -f "/$bundle" ] && [ -f "$r/$bundle" ]; then
  n=0
  while IFS= read -r c; do
    n=$((n + 1))
    body=${c#-----BEGIN CERTIFICATE-----}
    body=${body%-----END CERTIFICATE-----}
    { echo "-----BEGIN CERTIFICATE-----"; echo "$body" | fold -w 64; echo "-----END CERTIFICATE-----"; } \
      > "$r/usr/local/share/ca-certificates/host-ca-$n.crt"
  done < <(comm -23 <(one_per_line "/$bundle") <(one_per_line "$r/$bundle"))
  if [ $n -gt 0 ]; then
    log "adding the host's $n extra certificate authorit$([ $n = 1 ] && echo y || echo ies)"
    chroot "$r" update-ca-certificates >/dev/null
  fi
fi

# the host's pip configuration, and read-only the local directories it (or PIP_*) names
for f in /etc/pip.conf /etc/xdg/pip; do
  [ -e "$f" ] && mkdir -p "$r$(dirname "$f")" && cp -a "$f" "$r$f"
done
pip_paths=$( { cat /etc/pip.conf /etc/xdg/pip/* 2>/dev/null; env | grep '^PIP_' || true; } |
  grep -oE '(file://)?/[A-Za-z0-9._/+-]+' | sed 's#^file://##' | sort -u)
for p in $pip_paths; do
  [ -e "$p" ] && [ ! -e "$r$p" ] || continue
  if [ -d "$p" ]; then mkdir -p "$r$p"; else mkdir -p "$r$(dirname "$p")"; touch "$r$p"; fi
  mount --bind "$p" "$r$p" && mount -o remount,bind,ro "$r$p"
done

# the commit under test, cloned as a user would
mkdir -p "$r/mnt/onnxi-src"
mount --bind "$(git -C "$root_dir" rev-parse --absolute-git-dir)" "$r/mnt/onnxi-src"
mount -o remount,bind,ro "$r/mnt/onnxi-src"

envs=(HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8
      TERM=dumb "CI=${CI:-}")
while IFS= read -r kv; do envs+=("$kv"); done < <(env | grep -E '^(PIP_|ONNXI_|https?_proxy=|no_proxy=|HTTPS?_PROXY=|NO_PROXY=)' |
  grep -vE '^ONNXI_(FRESH_|BUILD_DIR|VENV|PYTHON)' || true)
# in the background and waited for, so that a signal reaches the cleanup at once
in_root() { chroot "$r" /usr/bin/env -i "${envs[@]}" /bin/bash -c "$1" & wait $!; }

log "root $r, commit $sha, tests: $tests"
t0=$(date +%s)
step="cloning $sha"
in_root "git clone -q /mnt/onnxi-src /root/onnxi && cd /root/onnxi && git checkout -q --detach $sha && git log -1 --oneline"
stamp "clone" "$t0"

t0=$(date +%s)
step="README command 1: scripts/run_resnet50.sh"
log "$step"
in_root "cd /root/onnxi && scripts/run_resnet50.sh"
stamp "scripts/run_resnet50.sh (setup, build, export, run)" "$t0"

t0=$(date +%s)
case $tests in
  full)
    step="README command 2: scripts/test.sh"
    log "$step"
    in_root "cd /root/onnxi && scripts/test.sh"
    stamp "scripts/test.sh (all tests)" "$t0" ;;
  unit)
    step="README command 2, unit label only: ONNXI_ASAN=0 scripts/test.sh -L unit"
    log "$step"
    in_root "cd /root/onnxi && ONNXI_ASAN=0 scripts/test.sh -L unit"
    stamp "scripts/test.sh -L unit" "$t0" ;;
  none) ;;
esac

log "passed on a brand-new Debian 12 root in $(($(date +%s) - t_start)) s"
for t in "${timings[@]}"; do log "  $t"; done
