package main

import (
	"strings"
	"testing"
)

// A trusted proxy that is not a CIDR or an address stops serve and web at
// the start, with the flag (or variable) and the value named.
func TestBadTrustedProxyFailsTheStart(t *testing.T) {
	for _, tc := range []struct {
		env  string
		args []string
		want string
	}{
		{"", []string{"serve", "--trusted-proxy", "10.0.0.0/8", "--trusted-proxy", "10.0.0.0/33"}, `--trusted-proxy: "10.0.0.0/33" is not a CIDR`},
		{"", []string{"web", "--trusted-proxy", "10.0.0.0/8,proxy.example"}, `--trusted-proxy: "proxy.example" is not a CIDR`},
		{"127.0.0.1, 172.16.0.0/12,10.0.0.300", []string{"serve"}, `DUBAN_TRUSTED_PROXIES: "10.0.0.300" is not a CIDR`},
		{"10.0.0.0/33", []string{"web"}, `DUBAN_TRUSTED_PROXIES: "10.0.0.0/33" is not a CIDR`},
	} {
		t.Setenv("DUBAN_TRUSTED_PROXIES", tc.env)
		t.Setenv("DUBAN_DB", "sqlite:"+t.TempDir()+"/never-opened.db")
		code, _, errOut := duban(t, tc.args...)
		if code == 0 || !strings.Contains(errOut, tc.want) {
			t.Errorf("duban %s with DUBAN_TRUSTED_PROXIES=%q: exit %d, %q; want a failure saying %s",
				strings.Join(tc.args, " "), tc.env, code, errOut, tc.want)
		}
	}
}
