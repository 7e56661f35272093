/* order_chain.c - the certificate chain an order ends with: the downloaded
 * PEM split into leaf and chain, and the choice among the default and
 * alternate chains for --preferred-chain (cert-manager's preferredChain
 * rule: the top certificate's issuer CN). */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "certcheck.h"
#include "certinfo.h"
#include "err.h"
#include "hdr.h"
#include "log.h"
#include "order.h"
#include "util.h"

/* Alternate chains looked at for --preferred-chain: a CA offers one or
 * two; each costs a request, and a server may list any number. */
#define ALTERNATES_MAX 10

int order_split_chain(const char *pem, char **leaf, char **rest)
{
	static const char begin[] = "-----BEGIN CERTIFICATE-----";
	static const char end[] = "-----END CERTIFICATE-----";
	const char *b = strstr(pem, begin), *e = b != NULL ? strstr(b, end) : NULL, *next;

	if (e == NULL) {
		err_set(ERR_ACME, "the server sent no PEM certificate");
		return -1;
	}
	e += strlen(end);
	next = e + strspn(e, "\r\n");
	*leaf = xasprintf("%.*s\n", (int)(e - b), b);
	*rest = xstrdup(next);
	return 0;
}

void order_result_clear(struct order_result *r)
{
	free(r->cert);
	free(r->chain);
	free(r->fullchain);
	memset(r, 0, sizeof(*r));
}

/* True when the top certificate of a PEM chain was issued by a CA whose
 * CN is cn (cert-manager's preferredChain rule from v1.15.0), or with any,
 * when any of its certificates was (the rule before). */
static bool chain_matches(const char *pem, const char *cn, bool any)
{
	char *top;
	bool match;

	if (any)
		return certinfo_chain_has_issuer_cn(pem, cn);
	top = certinfo_top_issuer_cn(pem);
	match = top != NULL && strcmp(top, cn) == 0;
	free(top);
	return match;
}

/* Fills out from a PEM chain. 0 or -1 with err. */
static int take_chain(const char *pem, struct order_result *out)
{
	order_result_clear(out);
	if (order_split_chain(pem, &out->cert, &out->chain) != 0)
		return -1;
	out->fullchain = xstrdup(pem);
	return 0;
}

/* The alternate chain at url, fetched into alt and checked against the
 * issued leaf; 0, or -1 with why it cannot be used in err. */
static int fetch_alternate(struct acme *a, const char *url, const char *leaf,
    struct acme_reply *alt)
{
	if (acme_post(a, "download alternate chain", url, NULL, false, alt) != 0) {
		err_prefix("could not be downloaded");
		return -1;
	}
	return certcheck_alternate(leaf, alt->body, alt->body_len);
}

/* The judge's word on the alternate at url: downloaded into alt, or not
 * (NULL to the judge, err holding why). 1 take, 0 next, -1 fail (err). */
static int judged(struct acme *a, const struct order_request *req, const char *url,
    struct acme_reply *alt)
{
	bool fetched = acme_post(a, "download alternate chain", url, NULL, false, alt) == 0;
	int verdict = req->judge_alternate(req->before_answer_arg, url, fetched ? alt : NULL);

	if (verdict >= 0)
		err_clear();
	return verdict;
}

int order_choose_chain(struct acme *a, const struct order_request *req,
    const struct acme_reply *r, struct order_result *out)
{
	const char *preferred = req->preferred_chain;
	bool any_alternate = req->preferred_any_alternate, chosen = false;
	struct acme_reply alt = { 0 };
	char **alternates = NULL, **unusable = NULL, *why;
	size_t nunusable = 0;
	int rc = -1, verdict;

	if (take_chain(r->body, out) != 0)
		goto out;
	rc = 0;
	if (preferred == NULL || (!any_alternate && chain_matches(r->body, preferred, false)))
		goto out;
	alternates = hdr_links((const char *const *)r->links, "alternate");
	unusable = xcalloc(ALTERNATES_MAX + 1, sizeof(*unusable));
	for (size_t i = 0; alternates[i] != NULL && i < ALTERNATES_MAX && !chosen; i++) {
		if (req->judge_alternate != NULL) {
			if ((verdict = judged(a, req, alternates[i], &alt)) < 0) {
				rc = -1;
				goto out;
			}
			chosen = verdict > 0;
		} else if (fetch_alternate(a, alternates[i], out->cert, &alt) != 0) {
			why = err_take_message();
			unusable[nunusable++] = xasprintf("the alternate chain %s %s",
			    alternates[i], why);
			free(why);
		} else {
			chosen = chain_matches(alt.body, preferred, any_alternate);
		}
		if (chosen) {
			logmsg(LOG_VERBOSE, "using the alternate chain %s (%s issuer \"%s\")",
			    alternates[i], any_alternate ? "a" : "top", preferred);
			rc = take_chain(alt.body, out);
		}
		acme_reply_clear(&alt);
	}
	for (size_t i = 0; i < nunusable; i++)
		logmsg(LOG_NORMAL, "%s; %s", unusable[i],
		    chosen ? "passed over" : "keeping the default chain");
	if (!chosen && nunusable == 0)
		logmsg(LOG_NORMAL, "no chain has the preferred %sissuer \"%s\"; "
		    "keeping the default chain", any_alternate ? "" : "top ", preferred);
out:
	strv_free(alternates);
	strv_free(unusable);
	acme_reply_clear(&alt);
	return rc;
}
