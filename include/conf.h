#ifndef ACMECTL_CONF_H
#define ACMECTL_CONF_H
#endif
