/*
 * listenaddr — "IP:PORT" or "[IPv6]:PORT", as hub.conf and `serve --listen`
 * give it, into a socket address.
 */
#ifndef TETRAD_HUB_LISTENADDR_H
#define TETRAD_HUB_LISTENADDR_H

#include <sys/socket.h>

#include "tetrad/terr.h"

/* TERR_ARG with a Russian message naming the text when it is not understood. */
int listenaddr_parse(const char *listen, struct sockaddr_storage *ss, struct terr *e);

#endif
