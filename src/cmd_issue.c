/* cmd_issue.c - placeholder until written. */
#include "config.h"
