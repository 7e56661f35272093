/* main.c - placeholder until written. */
#include "config.h"
int main(void) { return 0; }
