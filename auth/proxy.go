package auth

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Proxies are the reverse proxies in front of duban whose X-Forwarded-For
// and X-Forwarded-Proto are believed. Without them every client is its
// connection's peer.
type Proxies []netip.Prefix

// ParseProxies reads CIDRs (10.0.0.0/8, fd00::/8) or single addresses
// (127.0.0.1). The error names the value that is neither.
func ParseProxies(values []string) (Proxies, error) {
	var out Proxies
	for _, v := range values {
		v = strings.TrimSpace(v)
		if v == "" {
			continue
		}
		p, err := netip.ParsePrefix(v)
		if err != nil {
			ip, ipErr := netip.ParseAddr(v)
			if ipErr != nil || ip.Zone() != "" {
				return nil, fmt.Errorf("%q is not a CIDR such as 10.0.0.0/8 or an address such as 127.0.0.1", v)
			}
			p = netip.PrefixFrom(ip.Unmap(), ip.Unmap().BitLen())
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

func (ps Proxies) trusts(ip netip.Addr) bool {
	ip = ip.Unmap()
	for _, p := range ps {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// peer is the connection's address, if it is one.
func peer(r *http.Request) (netip.Addr, bool) {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip, err := netip.ParseAddr(host)
	return ip.Unmap(), err == nil
}

// viaProxy reports whether r came from a trusted proxy.
func (ps Proxies) viaProxy(r *http.Request) bool {
	ip, ok := peer(r)
	return ok && ps.trusts(ip)
}

// client is the address of the client that sent r: the connection's peer,
// or, when that is a trusted proxy, the rightmost address of
// X-Forwarded-For that is not itself a trusted proxy. Each proxy appends
// the address it was connected from, so everything right of that address
// was written by trusted proxies; a client can prepend anything but not
// append. A malformed entry where an address is due stops the walk at the
// last trusted hop: a proxy that passed the client's header on unchecked
// must not give each made-up value an address of its own. When every entry
// is trusted, the leftmost is the client.
// It is false when the peer is not an address.
func (ps Proxies) client(r *http.Request) (netip.Addr, bool) {
	ip, ok := peer(r)
	if !ok || !ps.trusts(ip) {
		return ip, ok
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		hop, ok := parseHop(hops[i])
		if !ok {
			break
		}
		ip = hop
		if !ps.trusts(hop) {
			break
		}
	}
	return ip, true
}

// parseHop reads one X-Forwarded-For entry: an address, possibly with a
// port (some proxies add it) or, for IPv6, in brackets.
func parseHop(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	if ip, err := netip.ParseAddr(s); err == nil && ip.Zone() == "" {
		return ip.Unmap(), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil && ap.Addr().Zone() == "" {
		return ap.Addr().Unmap(), true
	}
	if ip, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")); err == nil && ip.Zone() == "" {
		return ip.Unmap(), true
	}
	return netip.Addr{}, false
}

// HTTPS reports whether a trusted proxy says it received r over HTTPS
// (the rightmost X-Forwarded-Proto, the nearest proxy's word).
func (ps Proxies) HTTPS(r *http.Request) bool {
	if !ps.viaProxy(r) {
		return false
	}
	protos := strings.Split(strings.Join(r.Header.Values("X-Forwarded-Proto"), ","), ",")
	return strings.EqualFold(strings.TrimSpace(protos[len(protos)-1]), "https")
}

// ClientAddr is the address failures are counted for: the client as
// proxies says, with IPv6 addresses per /64, the block one host is usually
// given. X-Forwarded-For from anyone but a trusted proxy is ignored — an
// attacker would send a new one with every guess.
func ClientAddr(r *http.Request, proxies Proxies) string {
	ip, ok := proxies.client(r)
	switch {
	case !ok:
		return r.RemoteAddr
	case ip.Is4():
		return ip.String()
	}
	p, _ := ip.Prefix(64)
	return p.String()
}
