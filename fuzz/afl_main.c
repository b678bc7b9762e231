/*
 * main() for AFL++ builds of any target: persistent mode with shared-memory
 * test cases (AFL++ instrumentation/README.persistent_mode.md). Build with
 * afl-clang-fast or afl-clang-lto (tools/fuzz/afl-build). Each iteration is
 * self-contained: the targets keep no state between inputs.
 *
 * Built by another compiler it reads one input from stdin, so the same file
 * also gives a "cat input | ./target" reproducer.
 */
#include <unistd.h>

#include "fuzz_common.h"

#ifdef __AFL_FUZZ_TESTCASE_LEN
__AFL_FUZZ_INIT();
#else
static unsigned char stdin_buf[1 << 20];
static ssize_t stdin_len;
static int stdin_done;
#define __AFL_FUZZ_TESTCASE_BUF stdin_buf
#define __AFL_FUZZ_TESTCASE_LEN stdin_len
#define __AFL_INIT()            ((void)0)
#define __AFL_LOOP(n)           (!stdin_done++ && (stdin_len = read(0, stdin_buf, sizeof stdin_buf)) >= 0)
#endif

int main(void)
{
    __AFL_INIT(); /* deferred fork server: after set-up, before the loop */
    unsigned char *buf = __AFL_FUZZ_TESTCASE_BUF;
    while (__AFL_LOOP(10000)) {
        ssize_t len = __AFL_FUZZ_TESTCASE_LEN;
        LLVMFuzzerTestOneInput(buf, (size_t)len);
    }
    return 0;
}
