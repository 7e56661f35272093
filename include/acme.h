#ifndef ACMECTL_ACME_H
#define ACMECTL_ACME_H
#endif
