/* http01.c - placeholder until written. */
#include "config.h"
