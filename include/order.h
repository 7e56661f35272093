#ifndef ACMECTL_ORDER_H
#define ACMECTL_ORDER_H
#endif
