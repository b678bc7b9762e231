#!/bin/bash -eu
# OSS-Fuzz / ClusterFuzzLite build for wsspec (one binary per fuzz/<target>.c).
#
# Uses only the environment the base-builder image sets: $CC $CXX $CFLAGS
# $CXXFLAGS $LIB_FUZZING_ENGINE $FUZZING_ENGINE $SRC $WORK $OUT. Runs outside
# docker too: tools/fuzz/oss-fuzz-local emulates that environment.
#
# Writes $OUT/<target>, $OUT/<target>.dict, $OUT/<target>.options and
# $OUT/<target>_seed_corpus.zip (corpus/<target>/ + regressions/).

cd "$SRC/wsspec"
build=$WORK/wsspec
mkdir -p "$build"
common=(-std=c11 -D_GNU_SOURCE -Iinclude -Isrc -Ifuzz)

# The protocol code under test, compiled with the fuzzing flags.
core=(src/core/close.c src/core/error.c src/core/frame.c src/core/handshake.c src/core/mutator.c
      src/core/utf8.c src/core/extensions.c src/core/deflate.c
      src/net/url.c src/util/json.c src/util/jsonw.c src/driver/spec.c src/driver/pattern.c)
objs=()
for src in "${core[@]}"; do
    obj=$build/$(echo "$src" | tr / _).o
    $CC $CFLAGS "${common[@]}" -c "$src" -o "$obj"
    objs+=("$obj")
done
rm -f "$build/libwsspec_fuzz.a"
ar rcs "$build/libwsspec_fuzz.a" "${objs[@]}"

# libcrypto (SHA-1 for Sec-WebSocket-Accept): statically when possible, the
# runner image has no OpenSSL.
crypto=(-lcrypto)
for a in /usr/lib/x86_64-linux-gnu/libcrypto.a /usr/lib/libcrypto.a; do
    if [ -f "$a" ]; then crypto=("$a" -ldl -pthread); break; fi
done
# zlib (permessage-deflate): statically when possible too.
zlib=(-lz)
for a in /usr/lib/x86_64-linux-gnu/libz.a /usr/lib/libz.a; do
    if [ -f "$a" ]; then zlib=("$a"); break; fi
done

# wslay for wslay_diff: from source when the Dockerfile cloned it, else the
# system's libwslay-dev (local runs), else the target is skipped.
wslay_inc=()
wslay=()
if [ -d "$SRC/wslay/lib" ]; then
    mkdir -p "$build/wslay/wslay"
    sed 's/@PACKAGE_VERSION@/1.1.1/' "$SRC/wslay/lib/includes/wslay/wslayver.h.in" \
        >"$build/wslay/wslay/wslayver.h"
    printf '#define HAVE_ARPA_INET_H 1\n#define HAVE_NETINET_IN_H 1\n' >"$build/wslay/config.h"
    wobjs=()
    for src in "$SRC"/wslay/lib/wslay_*.c; do
        obj=$build/wslay/$(basename "$src" .c).o
        $CC $CFLAGS -DHAVE_CONFIG_H -I"$build/wslay" -I"$SRC/wslay/lib/includes" -c "$src" -o "$obj"
        wobjs+=("$obj")
    done
    rm -f "$build/wslay/libwslay.a"
    ar rcs "$build/wslay/libwslay.a" "${wobjs[@]}"
    wslay_inc=(-I"$SRC/wslay/lib/includes" -I"$build/wslay")
    wslay=("$build/wslay/libwslay.a")
elif [ -f /usr/include/wslay/wslay.h ]; then
    wslay=(-lwslay)
fi

for f in fuzz/*.c; do
    t=$(basename "$f" .c)
    case $t in main_replay | afl_main | frame_mutator) continue ;; esac
    extra=()
    inc=()
    if [ "$t" = wslay_diff ]; then
        if [ ${#wslay[@]} -eq 0 ]; then
            echo "build.sh: no wslay, skipping $t"
            continue
        fi
        extra=("${wslay[@]}")
        inc=("${wslay_inc[@]}")
    fi
    srcs=("$f")
    # The structure-aware mutator needs LLVMFuzzerMutate: libFuzzer only.
    if [ "$t" = frame ] && [ "${FUZZING_ENGINE:-libfuzzer}" = libfuzzer ]; then
        $CC $CFLAGS "${common[@]}" -DWSSPEC_LIBFUZZER_MUTATOR -c fuzz/frame_mutator.c \
            -o "$build/frame_mutator.o"
        srcs+=("$build/frame_mutator.o")
    fi
    $CC $CFLAGS "${common[@]}" ${inc[@]+"${inc[@]}"} -c "$f" -o "$build/$t.o"
    objs_t=("$build/$t.o")
    [ ${#srcs[@]} -gt 1 ] && objs_t+=("${srcs[@]:1}")
    # OSS-Fuzz: link with $CXX even for C code.
    $CXX $CXXFLAGS "${objs_t[@]}" "$build/libwsspec_fuzz.a" ${extra[@]+"${extra[@]}"} "${crypto[@]}" "${zlib[@]}" -lm \
        $LIB_FUZZING_ENGINE -o "$OUT/$t"
    cp "fuzz/$t.dict" "fuzz/$t.options" "$OUT/" 2>/dev/null || true
    rm -f "$OUT/${t}_seed_corpus.zip"
    if [ -d "corpus/$t" ]; then
        find "corpus/$t" -type f ! -name '.*' | zip -q -j "$OUT/${t}_seed_corpus.zip" -@
    fi
    echo "build.sh: built $OUT/$t"
done
