/* renew_exit.c - the exit status of a renew run that had failures: the one
 * kind they share when it says what to do about them, else 1. */
#include "config.h"

#include "cmd.h"
#include "err.h"

enum err_kind renew_exit_kind(enum err_kind sofar, enum err_kind failed)
{
	/* a network failure (retry later) and a storage or trust refusal (fix
	 * the host) keep their kind; anything else a certificate or hook can
	 * fail with in a run that was not misused is a failed renewal, and a
	 * failure that recorded no kind is one too */
	if (failed != ERR_NETWORK && failed != ERR_STORAGE)
		failed = ERR_ACME;
	if (sofar == ERR_NONE || sofar == failed)
		return failed;
	return ERR_ACME;
}
