#!/bin/bash
# ATEscreen's SHA-256 against coreutils sha256sum on padding-boundary lengths and the parameter
# files. usage: check_sha256.sh SHA256_PRINT WORKDIR PARAM_DIR
set -eu
prog=$1 work=$2 params=$3
mkdir -p "$work"
files=()
for n in 0 1 3 55 56 63 64 65 119 120 128 1000 65535 65536 65537 200000; do
  head -c "$n" /dev/urandom > "$work/len$n"
  files+=("$work/len$n")
done
while IFS= read -r f; do files+=("$f"); done < <(find "$params" -type f | sort)
diff <("$prog" "${files[@]}") <(sha256sum "${files[@]}")
echo "sha256: ${#files[@]} files identical to sha256sum"
"$prog" "$work/does-not-exist" 2>&1 | grep -q "does-not-exist: cannot open the file" || {
  echo "missing-file message wrong"; exit 1; }
