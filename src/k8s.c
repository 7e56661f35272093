/* k8s.c - placeholder until written. */
#include "config.h"
