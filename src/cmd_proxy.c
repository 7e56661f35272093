/* cmd_proxy.c - placeholder until written. */
#include "config.h"
