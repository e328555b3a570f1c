/*
 * probe — is this device still taken by the hub (see probe.h)?
 */
#include "syncd/probe.h"

#include <stdio.h>
#include <string.h>

#include "tetrad/wire.h"

void
probe_run(struct sync_ctx *c, struct net *n, struct sync_result *res)
{
	char url[sizeof(WIRE_PATH_DEVICES_PREFIX) + WIRE_DEVICE_ID_HEXLEN + 8 +
	    WIRE_DEVICE_SIG_HEXLEN], sig[WIRE_DEVICE_SIG_HEXLEN + 1];
	struct net_resp resp;
	struct wire_error we;
	struct terr ne;

	memset(&resp, 0, sizeof(resp));
	terr_clear(&ne);
	wire_device_state_sign(c->push.device_hex, c->dev.sk, sig);
	snprintf(url, sizeof(url), WIRE_PATH_DEVICES_PREFIX "%s?sig=%s", c->push.device_hex, sig);
	if (net_request(n, "GET", url, NULL, NULL, 0, WIRE_DEVICE_STATE_MAX, &resp, &ne) == 0 &&
	    resp.status == 403 &&
	    wire_error_parse(tbuf_ptr(resp.body), tbuf_len(resp.body), &we, NULL) == 0 &&
	    strcmp(we.error, "revoked") == 0) {
		res->revoked = 1;
		wire_text_copy(res->revoked_msg, sizeof(res->revoked_msg), we.message[0] ?
		    we.message : "устройство отозвано на хабе; обратитесь к координатору");
	}
	net_resp_free(&resp);
}
