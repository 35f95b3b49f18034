/*
 * zhimai-fcgi -- the FastCGI application server.
 *
 *   zhimai-fcgi [-c CONFIG]        run (foreground; the master forks the workers)
 *   zhimai-fcgi --config-example   print the documented configuration
 */
#include <stdio.h>
#include <string.h>

#include "conf.h"
#include "server.h"

int main(int argc, char **argv)
{
    const char *conf = NULL;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-c") == 0 && i + 1 < argc) {
            conf = argv[++i];
        } else if (strcmp(argv[i], "--config-example") == 0) {
            zm_conf_write_example(stdout);
            return 0;
        } else {
            fprintf(stderr, "usage: zhimai-fcgi [-c CONFIG] | --config-example\n");
            return 2;
        }
    }
    return zm_server_main(conf);
}
