/* Content negotiation: the Accept header (RFC 9110 section 12.5.1) against the media types a
 * route can answer with. String work alone (no ulfius, no allocation), so that the unit tests call
 * it as it is. (The wildcards are written "text/ *" and "* / *" below, spaced so as not to open a
 * comment.)
 *
 * The header is a list of media ranges: a type ("text/csv"), any subtype of a type ("text/ *") or
 * any type ("* / *"), each with optional parameters; a "q" parameter (0 to 1, up to three decimals)
 * weighs it, and q=0 means "not acceptable". Names compare case-insensitively; other parameters
 * are ignored. An element that does not parse (no slash, a wildcard type with a named subtype, a
 * q that is not a qvalue) is skipped, not refused: a client's odd header should not cost it its
 * answer. A header with no element that parses says nothing, and counts as absent (everything
 * acceptable).
 *
 * For a type, the most specific range naming it sets its weight: the type itself, then
 * application/problem+json (for application/json: see below), then its type's wildcard, then
 * "* / *"; among ranges as specific, the highest q. application/problem+json is read as accepting
 * application/json as well: every answer of a JSON route is JSON, its errors being problem
 * documents, and a client that names only the problem type still reads JSON; naming
 * application/json itself with q=0 refuses it all the same. */
#ifndef IJ_HTTP_ACCEPT_H
#define IJ_HTTP_ACCEPT_H

/* Weights are in thousandths: 1000 is q=1. */
#define IJ_ACCEPT_QMAX 1000

/* The weight the header (NULL when absent) gives the media type ("type/subtype", lower case,
 * no parameters; borrowed): 0 when not acceptable, IJ_ACCEPT_QMAX when accept is NULL or says
 * nothing. */
int ij_accept_quality(const char *accept, const char *type);

/* The index in types (NULL-terminated, as ij_accept_quality takes them; borrowed) of the one the
 * header prefers, or -1 when it makes none acceptable: the highest weight, then the most specific
 * range, then the range that comes first in the header, then the first in types. Absent or
 * saying nothing: 0 (the route's default, its first type). */
int ij_accept_choose(const char *accept, const char *const *types);

#endif
