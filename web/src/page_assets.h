/*
 * page_assets — the table the build generates from web/assets/
 * (web/cmake/embed_assets.cmake → web_assets.c), sorted by name. Private to
 * page.c, which is how everything else reaches it.
 */
#ifndef TETRAD_WEB_PAGE_ASSETS_H
#define TETRAD_WEB_PAGE_ASSETS_H

#include <stddef.h>

#include "web/page.h"

extern const struct web_asset web_assets_table[];
extern const size_t web_assets_n;

#endif
