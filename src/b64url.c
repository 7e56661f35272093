/* b64url.c - placeholder until written. */
#include "config.h"
