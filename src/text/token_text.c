/* token_text.c — see token_text.h. */
#include "text/token_text.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

size_t token_marker_len(const char *text)
{
    static const char *const markers[] = {"\xE2\x90\xA3" /* ␣ */, "\xC4\xA0" /* Ġ */,
                                          "\xE2\x96\x81" /* ▁ */, "##", " "};
    for (size_t i = 0; i < sizeof markers / sizeof markers[0]; i++) {
        size_t n = strlen(markers[i]);
        if (strncmp(text, markers[i], n) == 0 && text[n]) return n;
    }
    return 0;
}

char *token_fold(const char *text)
{
    text += token_marker_len(text);
    utf8proc_uint8_t *out = NULL;
    utf8proc_ssize_t n = utf8proc_map((const utf8proc_uint8_t *)text, 0, &out,
                                      UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPOSE |
                                          UTF8PROC_COMPAT | UTF8PROC_CASEFOLD);
    if (n < 0) return NULL;
    return (char *)out;
}

int token_text_match(const char *typed, const char *token)
{
    if (strcmp(typed, token) == 0) return 2;
    char *a = token_fold(typed), *b = token_fold(token);
    int eq = a && b && *a && strcmp(a, b) == 0;
    free(a);
    free(b);
    return eq;
}

int token_is_punct(const char *text)
{
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)text + token_marker_len(text);
    int any = 0;
    while (*p) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t n = utf8proc_iterate(p, -1, &cp);
        if (n <= 0) return 0;
        utf8proc_category_t c = utf8proc_category(cp);
        if (c < UTF8PROC_CATEGORY_PC || c > UTF8PROC_CATEGORY_SO) return 0;
        any = 1;
        p += n;
    }
    return any;
}
