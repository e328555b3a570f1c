/*
 * proctune — process-wide settings (hub/proctune.h).
 *
 * Each set's ingest allocates a few hundred KiB (the decrypted text, the
 * fields' trees, SQLite's pages) and frees them all: glibc gave that memory
 * back and took it again every time (shrinking and growing the thread's
 * heap, mapping and unmapping the large buffers, every page faulted in
 * anew), about a tenth of an ingest. Kept instead, up to 64 MiB per thread
 * arena. SQLite's memory statistics, which nothing reads, cost a global
 * mutex on every one of its allocations.
 */
#include <malloc.h>

#include "hub/hubdb.h"
#include "hub/proctune.h"

void
proctune_apply(void)
{
#ifdef __GLIBC__
	mallopt(M_MMAP_THRESHOLD, 32 << 20);
	mallopt(M_TRIM_THRESHOLD, 64 << 20);
	mallopt(M_TOP_PAD, 4 << 20);
#endif
	hubdb_tune_process();
}
