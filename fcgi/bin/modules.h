/*
 * modules.h -- the programs' ordered list of modules (modules.c).
 */
#ifndef ZM_MODULES_H
#define ZM_MODULES_H

#include "module.h"

/* NULL-terminated, in start-up order: layers first, then the domains */
extern const zm_module_t *const zm_modules[];

#endif
