#ifndef ACMECTL_RESOLV_H
#define ACMECTL_RESOLV_H
#endif
