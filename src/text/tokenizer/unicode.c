/* unicode.c — character classes of the tokenizer stages (see unicode.h). */
#include "text/tokenizer/unicode.h"

#include <utf8proc.h>

static utf8proc_category_t cat(uint32_t cp) { return utf8proc_category((utf8proc_int32_t)cp); }

int uc_age(uint32_t cp)
{
    if (uc_age_count == 0 || cp < uc_age_table[0].lo) return 0;
    size_t lo = 0, hi = uc_age_count;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (cp < uc_age_table[mid].lo) hi = mid;
        else if (cp > uc_age_table[mid].hi) lo = mid + 1;
        else return uc_age_table[mid].value;
    }
    return 0;
}

int uc_whitespace(uint32_t cp)
{
    if (cp < 0x80) return cp == ' ' || (cp >= 0x09 && cp <= 0x0D);
    return cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) ||
           cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

int uc_letter(uint32_t cp)
{
    if (cp < 0x80) return (cp | 0x20) >= 'a' && (cp | 0x20) <= 'z';
    utf8proc_category_t c = cat(cp);
    return c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO;
}

int uc_numeric(uint32_t cp)
{
    if (cp < 0x80) return cp >= '0' && cp <= '9';
    utf8proc_category_t c = cat(cp);
    return c >= UTF8PROC_CATEGORY_ND && c <= UTF8PROC_CATEGORY_NO;
}

int uc_punct(uint32_t cp)
{
    if (cp < 0x80)
        return (cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) ||
               (cp >= 123 && cp <= 126);
    if (uc_age(cp)) return 0;
    utf8proc_category_t c = cat(cp);
    return c >= UTF8PROC_CATEGORY_PC && c <= UTF8PROC_CATEGORY_PO;
}

int uc_mark(uint32_t cp)
{
    if (cp < 0x300 || uc_age(cp) > 90) return 0;
    utf8proc_category_t c = cat(cp);
    return c >= UTF8PROC_CATEGORY_MN && c <= UTF8PROC_CATEGORY_ME;
}

int uc_mark_nonspacing(uint32_t cp) { return cp >= 0x300 && !uc_age(cp) && cat(cp) == UTF8PROC_CATEGORY_MN; }

int uc_bert_control(uint32_t cp)
{
    if (cp == '\t' || cp == '\n' || cp == '\r') return 0;
    if (cp < 0x20 || cp == 0x7F) return 1;
    if (cp < 0xA0) return cp >= 0x80;
    if (uc_age(cp)) return 0;
    utf8proc_category_t c = cat(cp);
    return c == UTF8PROC_CATEGORY_CC || c == UTF8PROC_CATEGORY_CF || c == UTF8PROC_CATEGORY_CO;
}

int uc_bert_chinese(uint32_t cp)
{
    return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
           (cp >= 0x20000 && cp <= 0x2A6DF) || (cp >= 0x2A700 && cp <= 0x2B73F) ||
           (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B920 && cp <= 0x2CEAF) ||
           (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
}

int uc_ccc(uint32_t cp)
{
    return cp < 0x300 || uc_age(cp) > 90 ? 0 : utf8proc_get_property((utf8proc_int32_t)cp)->combining_class;
}

int uc_lower(uint32_t cp, uint32_t out[3])
{
    if (cp < 0x80) {
        out[0] = cp >= 'A' && cp <= 'Z' ? cp + 32 : cp;
        return 1;
    }
    if (cp == 0x130) { /* the one unconditional full mapping that is not the simple one */
        out[0] = 'i';
        out[1] = 0x307;
        return 2;
    }
    out[0] = (uint32_t)utf8proc_tolower((utf8proc_int32_t)cp);
    return 1;
}
