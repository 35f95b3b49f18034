/*
 * zt_modules.h -- for unit tests and tools that load the configuration: the
 * programs' keys, every module's (fcgi/bin/modules.c), registered as the
 * programs register them.  Link zmmodules.
 */
#ifndef ZT_MODULES_H
#define ZT_MODULES_H

#include <stdio.h>

#include "conf.h"
#include "modules.h"

/* 0, or -1 with the reason on stderr */
static inline int zt_register_modules(void)
{
    char err[256];

    if (zm_conf_register(zm_modules, err, sizeof(err)) != 0) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    return 0;
}

#endif
