#ifndef ACMECTL_PROXY_H
#define ACMECTL_PROXY_H
#endif
