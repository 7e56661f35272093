/* cmd_account.c - placeholder until written. */
#include "config.h"
