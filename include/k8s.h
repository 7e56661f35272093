#ifndef ACMECTL_K8S_H
#define ACMECTL_K8S_H
#endif
