#ifndef PAYSYNC_CLIBPQ_SHIM_H
#define PAYSYNC_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#endif
