#!/bin/sh
# Install ATEscreen into a scratch prefix and build a small consumer against it twice:
# with find_package(ATEscreen) and with pkg-config; run the installed launcher, which finds
# libexec/atescreen-mpi. usage: run.sh BUILD_DIR SOURCE_DIR WORK_DIR
set -eu
build=$1 src=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
cmake --install "$build" --prefix "$work/prefix" > "$work/install.log"
cmake -S "$src/tests/package/consumer" -B "$work/cmake" -DCMAKE_PREFIX_PATH="$work/prefix" > "$work/configure.log"
cmake --build "$work/cmake" > "$work/build.log"
"$work/cmake/consumer"
PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig" cc -std=c17 "$src/tests/package/consumer/consumer.c" \
  -o "$work/consumer-pc" $(PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig" pkg-config --static --cflags --libs atescreen)
"$work/consumer-pc"
# the installed executables: bin/atescreen runs --version itself and execs
# libexec/atescreen-mpi for merge
"$work/prefix/bin/atescreen" --version
"$work/prefix/bin/atescreen" merge --help > "$work/merge-help.txt"
grep -q "usage: atescreen merge" "$work/merge-help.txt"
test -x "$work/prefix/libexec/atescreen-mpi"
