/* cmd_replay_win32.c - `kcap replay` in the Windows build: it paces events
 * into FIFOs and Unix stream sockets with SCHED_FIFO timing, none of which
 * the build has; it says so (exit 2). See docs/WINDOWS.md. */
#include "cli.h"

int cmd_replay(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	cli_err("replay", "not in the Windows build (it paces into FIFOs and Unix sockets); "
	                  "kcap convert and kcap slice read the same captures here");
	return KCAP_EXIT_USAGE;
}
