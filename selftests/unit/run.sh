#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Builds and runs the user-space unit tests of the pure header code, with
# AddressSanitizer and UBSan so that a read past a buffer fails the test.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$here/../..
cflags=(-std=gnu11 -Wall -Wextra -Werror -g -O1 -fsanitize=address,undefined
	-fno-sanitize-recover=all -I"$top/include" -I"$here")
cc "${cflags[@]}" -o "$here/geneve_opts_test" "$here/geneve_opts_test.c" "$top/geneve_opts.c"
cc "${cflags[@]}" -o "$here/geneve_fdb_rules_test" "$here/geneve_fdb_rules_test.c"
"$here/geneve_opts_test"
"$here/geneve_fdb_rules_test"
