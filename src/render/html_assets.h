/* html_assets.h — the HTML page's template, style and script, embedded at
 * build time.
 *
 * The sources are src/render/html/ (page.html, page.css and the *.js files
 * the Makefile lists, in order); scripts/embed.sh writes them into
 * build/gen/render/html_assets.c as byte arrays, the scripts joined into
 * one function scope, with the SHA-256 of the script and of the style
 * (base64, as a Content-Security-Policy source 'sha256-…' names them).
 * Static data, owned by nobody; each array ends with a NUL not counted in
 * its length.
 */
#ifndef ATTN_HTML_ASSETS_H
#define ATTN_HTML_ASSETS_H

#include <stddef.h>

extern const unsigned char html_asset_template[], html_asset_css[], html_asset_js[];
extern const size_t html_asset_template_len, html_asset_css_len, html_asset_js_len;
extern const char html_asset_css_sha256[], html_asset_js_sha256[];

#endif
