package people_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestStaticDirectoriesAreNotListed asks for every directory of the embedded
// assets, spelled as a browser or a probe would: each is a 404 that names no
// file. The files themselves are served.
func TestStaticDirectoriesAreNotListed(t *testing.T) {
	e := sqliteEnv(t)
	get := func(path string) (int, string) {
		resp, err := http.Get(e.srv.URL + path) // follows the mux's redirects to the clean path
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for _, path := range []string{"/static/", "/static", "/static/vendor/", "/static/vendor", "/static/vendor/echarts/",
		"/static/vendor/echarts", "/static/./", "/static//", "/static/vendor/../", "/static/%2e/", "/static/vendor/%2e%2e/",
		"/static/vendor%2F", "/static/vendor/echarts/.", "/static/?C=M;O=D"} {
		status, body := get(path)
		if status != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, status)
		}
		for _, name := range []string{"app.css", "scorecard.js", "vendor", "echarts", "LICENSE", "<a href"} {
			if strings.Contains(body, name) {
				t.Errorf("GET %s names %q:\n%s", path, name, body)
			}
		}
	}
	for _, path := range []string{"/static/app.css", "/static/scorecard.js", "/static/vendor/echarts/echarts.common.min.js"} {
		if status, body := get(path); status != http.StatusOK || len(body) < 100 {
			t.Errorf("GET %s: %d, %d bytes", path, status, len(body))
		}
	}
}
