// SPDX-License-Identifier: GPL-2.0-only
/*
 * GRO on the tunnel's UDP socket: Geneve packets of one inner flow merge
 * before decapsulation, but only while their Geneve headers, options
 * included, are the same bytes (RFC 8926 section 4.6).
 */
#include <linux/etherdevice.h>
#include <net/gro.h>
#include <net/protocol.h>
#include <net/udp.h>

#include "geneve_priv.h"

/*
 * A packet joins the flows held for merging only if its whole Geneve header,
 * options included, is byte for byte theirs (RFC 8926 section 4.6: the
 * options must stay with every packet they came with).  OAM packets are
 * never merged: they go up at once, one by one.
 */
struct sk_buff *geneve_gro_receive(struct sock *sk, struct list_head *head,
				   struct sk_buff *skb)
{
	unsigned int off = skb_gro_offset(skb), hlen;
	const struct packet_offload *offload = NULL;
	struct geneve_hdr_fields hdr;
	struct sk_buff *p;
	const u8 *gh;

	gh = skb_gro_header(skb, off + GENEVE_HDR_LEN, off);
	if (unlikely(!gh) ||
	    geneve_hdr_parse(gh, GENEVE_HDR_LEN, &hdr) != GENEVE_HDR_OK ||
	    (hdr.flags & GENEVE_FLAG_OAM))
		goto flush;
	if (hdr.protocol != ETH_P_TEB) {
		offload = gro_find_receive_by_type(htons(hdr.protocol));
		if (!offload)
			goto flush;
	}
	hlen = GENEVE_HDR_LEN + hdr.opts_len;
	if (hdr.opts_len) {
		gh = skb_gro_header(skb, off + hlen, off);
		if (unlikely(!gh))
			goto flush;
	}

	/*
	 * Base header and options compared in one go (equal bytes include an
	 * equal option length).  A packet held before this socket existed
	 * may not have that much linear.
	 */
	list_for_each_entry(p, head, list) {
		if (!NAPI_GRO_CB(p)->same_flow)
			continue;
		if (skb_headlen(p) < off + hlen ||
		    memcmp(gh, p->data + off, hlen))
			NAPI_GRO_CB(p)->same_flow = 0;
	}

	skb_gro_pull(skb, hlen);
	skb_gro_postpull_rcsum(skb, gh, hlen);
	/* Ethernet, the usual case, by a direct call. */
	if (!offload)
		return call_gro_receive(eth_gro_receive, head, skb);
	return call_gro_receive(offload->callbacks.gro_receive, head, skb);

flush:
	/* Not handed to an inner protocol: goes up unmerged. */
	NAPI_GRO_CB(skb)->flush |= 1;
	return NULL;
}

/* Finishes a merged packet: the inner protocol fixes up its own headers. */
int geneve_gro_complete(struct sock *sk, struct sk_buff *skb, int nhoff)
{
	const struct packet_offload *ptype;
	struct geneve_hdr_fields hdr;
	int inner, err = -ENOSYS;

	/*
	 * Normally geneve_gro_receive() vetted this header, but a flow that
	 * plain UDP GRO held before this socket was bound ends here too.
	 */
	if (unlikely(nhoff + GENEVE_HDR_LEN > skb_headlen(skb) ||
		     geneve_hdr_parse(skb->data + nhoff, GENEVE_HDR_LEN,
				      &hdr) != GENEVE_HDR_OK))
		return -EINVAL;
	inner = nhoff + GENEVE_HDR_LEN + hdr.opts_len;
	if (unlikely(inner > skb_headlen(skb)))
		return -EINVAL;
	/* With skb->encapsulation set, this sets the inner MAC header too. */
	if (hdr.protocol == ETH_P_TEB)
		return eth_gro_complete(skb, inner);

	ptype = gro_find_complete_by_type(htons(hdr.protocol));
	if (ptype)
		err = ptype->callbacks.gro_complete(skb, inner);
	/* L3 mode: no inner MAC header, so it starts where IP does. */
	skb_set_inner_mac_header(skb, inner);
	return err;
}
