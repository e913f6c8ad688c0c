package site

import (
	"net/http/httptest"
	"net/netip"
	"testing"
)

func TestProxiesClient(t *testing.T) {
	trusted := proxies{netip.MustParsePrefix("127.0.0.1/32"), netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	for _, tc := range []struct {
		name, peer string
		xff        []string
		want       string // "" when the peer stays the client
	}{
		{"NotAProxy", "192.0.2.1:5000", []string{"203.0.113.9"}, ""},
		{"NoHeader", "127.0.0.1:5000", nil, ""},
		{"OneHop", "127.0.0.1:5000", []string{"203.0.113.9"}, "203.0.113.9"},
		{"ClientLies", "127.0.0.1:5000", []string{"198.51.100.1, 203.0.113.9"}, "203.0.113.9"},
		{"TwoProxies", "127.0.0.1:5000", []string{"203.0.113.9, 10.1.2.3"}, "203.0.113.9"},
		{"SeveralHeaders", "127.0.0.1:5000", []string{"198.51.100.1", "203.0.113.9"}, "203.0.113.9"},
		{"WithPort", "127.0.0.1:5000", []string{"203.0.113.9:4711"}, "203.0.113.9"},
		{"IPv6", "[::1]:5000", []string{"[2001:db8::7]:4711"}, "2001:db8::7"},
		{"Mapped", "[::ffff:127.0.0.1]:5000", []string{"::ffff:203.0.113.9"}, "203.0.113.9"},
		{"AllTrusted", "127.0.0.1:5000", []string{"10.0.0.1, 10.0.0.2"}, "10.0.0.1"},
		{"GarbageLeftOfClient", "127.0.0.1:5000", []string{"nonsense, 203.0.113.9"}, "203.0.113.9"},
		{"GarbageOnly", "127.0.0.1:5000", []string{"nonsense"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tc.peer
			for _, v := range tc.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			got, ok := trusted.client(r)
			switch {
			case tc.want == "" && ok:
				t.Errorf("client %v, want the peer kept", got)
			case tc.want != "" && (!ok || got.String() != tc.want):
				t.Errorf("client %v (%v), want %s", got, ok, tc.want)
			}
		})
	}
}
