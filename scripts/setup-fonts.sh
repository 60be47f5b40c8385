#!/usr/bin/env bash
# Install the open fonts formkit's PDFs use and the fontconfig aliases of the official font names.
#
#   * FandolFang-Regular.otf (仿宋) and FandolKai-Regular.otf (楷体), extracted from Debian's
#     texlive-lang-chinese with `apt-get download` + `dpkg -x` (TeX Live itself is NOT installed)
#     into /usr/local/share/fonts/formkit/, with their README and licence (GPL + font exception);
#   * fonts/formkit-aliases.conf → /etc/fonts/conf.d/64-formkit-aliases.conf: 仿宋_GB2312, 方正小标宋,
#     黑体, 楷体, 宋体 … resolve to FandolFang / Noto Serif CJK SC / Noto Sans CJK SC / FandolKai;
#   * fc-cache.
#
# Needs root and the Noto CJK fonts (scripts/ensure-system.sh installs fonts-noto-cjk).
# Idempotent: when everything is already in place it changes nothing (and then also succeeds
# without root); otherwise, not being root, it prints the command to run and fails.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
conf_src="$here/../fonts/formkit-aliases.conf"
font_dir=/usr/local/share/fonts/formkit
conf_dst=/etc/fonts/conf.d/64-formkit-aliases.conf
fonts=(FandolFang-Regular.otf FandolKai-Regular.otf)

[ -f "$conf_src" ] || { echo "formkit: missing $conf_src" >&2; exit 1; }

missing=()
for f in "${fonts[@]}"; do [ -s "$font_dir/$f" ] || missing+=("$f"); done

if [ "$(id -u)" != 0 ]; then
  if [ ${#missing[@]} -gt 0 ] || ! cmp -s "$conf_src" "$conf_dst"; then
    echo "formkit: fonts or font aliases are not installed, and installing them needs root." >&2
    echo "run as root:  sudo bash $here/setup-fonts.sh" >&2
    exit 1
  fi
  exit 0   # everything in place already
fi

changed=0
if [ ${#missing[@]} -gt 0 ]; then
  echo "formkit: installing ${missing[*]} from texlive-lang-chinese (fonts only, no TeX Live)"
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  # let apt's sandbox user write the download (avoids "Download is performed unsandboxed")
  if id _apt >/dev/null 2>&1; then chown _apt "$tmp"; fi
  if ! (cd "$tmp" && apt-get download -q texlive-lang-chinese >/dev/null); then
    echo "formkit: 'apt-get download texlive-lang-chinese' failed; try 'apt-get update' first" >&2
    exit 1
  fi
  dpkg -x "$tmp"/texlive-lang-chinese_*.deb "$tmp/x"
  src="$tmp/x/usr/share/texlive/texmf-dist/fonts/opentype/public/fandol"
  doc="$tmp/x/usr/share/doc/texlive-doc/fonts/fandol"
  install -d -m 755 "$font_dir"
  for f in "${fonts[@]}"; do
    [ -s "$src/$f" ] || { echo "formkit: $f not found in texlive-lang-chinese" >&2; exit 1; }
    install -m 644 "$src/$f" "$font_dir/$f"
  done
  [ -f "$doc/README" ] && install -m 644 "$doc/README" "$font_dir/README.fandol"
  [ -f "$doc/COPYING.gz" ] && gzip -dc "$doc/COPYING.gz" > "$font_dir/COPYING.fandol" && chmod 644 "$font_dir/COPYING.fandol"
  changed=1
fi

if ! cmp -s "$conf_src" "$conf_dst"; then
  install -m 644 "$conf_src" "$conf_dst"
  echo "formkit: installed $conf_dst"
  changed=1
fi

if [ "$changed" = 1 ]; then
  fc-cache -f >/dev/null
fi

# Verify: each official name must resolve to the intended open font.
fail=0
check() {  # check NAME EXPECTED-FAMILY-PREFIX
  got="$(fc-match -f '%{family[0]}' "$1")"
  if [ "${got#"$2"}" = "$got" ]; then
    echo "formkit: fc-match '$1' gives '$got', expected '$2'" >&2
    fail=1
  fi
}
check 仿宋_GB2312 FandolFang
check 仿宋 FandolFang
check FangSong FandolFang
check FangSong_GB2312 FandolFang
check 方正小标宋简体 "Noto Serif CJK SC"
check 方正小标宋_GBK "Noto Serif CJK SC"
check 小标宋 "Noto Serif CJK SC"
check 黑体 "Noto Sans CJK SC"
check SimHei "Noto Sans CJK SC"
check 楷体_GB2312 FandolKai
check 楷体 FandolKai
check KaiTi FandolKai
check 宋体 "Noto Serif CJK SC"
check SimSun "Noto Serif CJK SC"
if [ "$fail" = 1 ]; then
  echo "formkit: font aliases do not resolve; is fonts-noto-cjk installed? (scripts/ensure-system.sh)" >&2
  exit 1
fi
[ "$changed" = 1 ] && echo "formkit: fonts ready" || true
