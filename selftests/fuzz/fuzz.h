/* SPDX-License-Identifier: GPL-2.0-only */
/* What the libFuzzer targets share: an assertion that aborts (a crash to
 * libFuzzer) and the reference option walk. */
#ifndef GENEVE_FUZZ_H
#define GENEVE_FUZZ_H

#include <stdio.h>
#include <stdlib.h>

#define FUZZ_ASSERT(cond)						\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "%s:%d: %s does not hold\n",	\
				__FILE__, __LINE__, #cond);		\
			abort();					\
		}							\
	} while (0)

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

/* fuzz_reference.c */
int fuzz_reference_opts_flags(const unsigned char *opts, size_t len);

#endif /* GENEVE_FUZZ_H */
