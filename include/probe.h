#ifndef ACMECTL_PROBE_H
#define ACMECTL_PROBE_H
#endif
