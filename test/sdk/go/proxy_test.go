//go:build proxy

// Kong's Go SDK as an unchanged program: no WithClient, no transport of its own. It reaches the mock
// only because HTTPS_PROXY names the mock (started with --proxy --active-users taken@example.com
// --rate-limit 2/min) and SSL_CERT_FILE holds the mock's CA. ways-in.sh builds this test with
// `-tags proxy` and runs it in a process of its own with both set (Go reads them once per process).
package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"reflect"
	"strings"
	"testing"

	sdkkonnectgo "github.com/Kong/sdk-konnect-go"
	"github.com/Kong/sdk-konnect-go/models/components"
	"github.com/Kong/sdk-konnect-go/models/operations"
	"github.com/Kong/sdk-konnect-go/models/sdkerrors"
)

const konnectHost = "global.api.konghq.com"

// proxiedMock is the mock's plain URL (MOCK_URL), after checking that the process's proxy settings
// send Konnect's host to that mock on loopback. When they do not, the SDK would dial the real
// Konnect, so the test stops before any call.
func proxiedMock(t *testing.T) *url.URL {
	t.Helper()
	mock, err := url.Parse(os.Getenv("MOCK_URL"))
	if err != nil || mock.Host == "" {
		t.Fatalf("MOCK_URL is not a URL (%q): start the mock with --proxy and pass its URL", os.Getenv("MOCK_URL"))
	}
	if ip := net.ParseIP(mock.Hostname()); ip == nil || !ip.IsLoopback() {
		t.Fatalf("MOCK_URL must be on loopback, got %s", mock.Host)
	}
	if os.Getenv("SSL_CERT_FILE") == "" {
		t.Fatal("SSL_CERT_FILE is not set: it must name the mock's CA (konnect-invites-mock ca --path)")
	}
	probe, _ := http.NewRequest(http.MethodPost, "https://"+konnectHost+"/v3/invites", nil)
	proxy, err := http.ProxyFromEnvironment(probe)
	if err != nil || proxy == nil || proxy.Host != mock.Host {
		t.Fatalf("https://%s would not go through the mock (proxy %v, %v): set HTTPS_PROXY=%s and leave NO_PROXY out", konnectHost, proxy, err, mock.String())
	}
	return mock
}

// plainInvite sends the invite the way a bare HTTP client does, straight to the mock: no Konnect
// Host, no SDK User-Agent or Accept, no proxy.
func plainInvite(t *testing.T, mock *url.URL, token, email string, headers map[string]string) (int, http.Header, []byte) {
	t.Helper()
	raw, _ := json.Marshal(map[string]string{"email": email})
	req, _ := http.NewRequest(http.MethodPost, mock.JoinPath("/v3/invites").String(), bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	for name, value := range headers {
		req.Header.Set(name, value)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", req.URL, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, body
}

// sameProblem checks that a plain answer's body, decoded into the SDK's own error type, equals what the
// SDK decoded from its answer: the SDK's headers changed nothing but the trace id in `instance`.
// target is a new **E for errors.As, plain a new *E for the plain body.
func sameProblem(t *testing.T, name string, sdkErr error, target any, plain any, body []byte) {
	t.Helper()
	if !errors.As(sdkErr, target) {
		t.Errorf("%s: the SDK gave %T (%v), expected %T", name, sdkErr, sdkErr, plain)
		return
	}
	if err := json.Unmarshal(body, plain); err != nil {
		t.Errorf("%s: the plain answer is not the SDK's %T: %v (%s)", name, plain, err, body)
		return
	}
	withoutInstance := func(v any) map[string]any {
		raw, _ := json.Marshal(v)
		out := map[string]any{}
		_ = json.Unmarshal(raw, &out)
		if instance, _ := out["instance"].(string); !strings.HasPrefix(instance, "konnect:trace:") {
			t.Errorf("%s: instance %q is not a Konnect trace id", name, instance)
		}
		delete(out, "instance")
		return out
	}
	if a, b := withoutInstance(reflect.ValueOf(target).Elem().Interface()), withoutInstance(plain); !reflect.DeepEqual(a, b) {
		t.Errorf("%s: through the SDK %v, plain %v", name, a, b)
	}
}

type journalEntry struct {
	Status   int               `json:"status"`
	Scenario string            `json:"scenario"`
	Via      string            `json:"via"`
	Host     string            `json:"host"`
	Headers  map[string]string `json:"headers"`
	Body     struct {
		Email string `json:"email"`
	} `json:"body"`
}

func TestThroughProxy(t *testing.T) {
	mock := proxiedMock(t)
	sdk := func(token string) *sdkkonnectgo.SDK {
		return sdkkonnectgo.New(sdkkonnectgo.WithSecurity(components.Security{PersonalAccessToken: sdkkonnectgo.String(token)}))
	}
	invite := func(s *sdkkonnectgo.SDK, email string, opts ...operations.Option) (*operations.InviteUserResponse, error) {
		return s.Invites.InviteUser(context.Background(), &components.InviteUser{Email: email}, opts...)
	}

	// Any other host fails at the proxy instead of being reached (.invalid never resolves, so even a
	// proxy that tunnelled it could not connect anywhere).
	if res, err := http.Get("https://refused.invalid/"); err == nil || !strings.Contains(err.Error(), "Forbidden") {
		t.Errorf("a CONNECT to a host the mock does not serve should be refused with 403, got %v %v", res, err)
	}

	// A 201 from the default behaviour; the same request sent plainly gets the same answer.
	res, err := invite(sdk("kpat_proxy_created"), "created@example.com")
	if err != nil || res.StatusCode != 201 {
		t.Fatalf("created: expected 201, got %v %v", res, err)
	}
	status, header, body := plainInvite(t, mock, "kpat_plain_created", "created@example.com", nil)
	if status != 201 || len(body) != 0 || header.Get("Content-Type") != res.ContentType ||
		header.Get("X-Mock-Scenario-Served") != res.RawResponse.Header.Get("X-Mock-Scenario-Served") {
		t.Errorf("created: plain %d %q %q, through the SDK %d %q %q", status, header.Get("Content-Type"), body,
			res.StatusCode, res.ContentType, res.RawResponse.Header.Get("X-Mock-Scenario-Served"))
	}

	// A scenario forced per call with X-Mock-Scenario.
	forced := map[string]string{"X-Mock-Scenario": "cannot-be-blank"}
	_, err = invite(sdk("kpat_proxy_scenario"), "scenario@example.com", operations.WithSetHeaders(forced))
	status, _, body = plainInvite(t, mock, "kpat_plain_scenario", "scenario@example.com", forced)
	if status != 400 {
		t.Errorf("cannot-be-blank: plain answer %d", status)
	}
	sameProblem(t, "cannot-be-blank", err, new(*sdkerrors.BadRequestError), &sdkerrors.BadRequestError{}, body)

	// The default behaviour's 409 for an active user (--active-users).
	_, err = invite(sdk("kpat_proxy_active"), "taken@example.com")
	var conflict *sdkerrors.ConflictError
	if !errors.As(err, &conflict) || conflict.Detail != "User is already active" {
		t.Errorf("active user: expected ConflictError \"User is already active\", got %T %v", err, err)
	}
	status, _, body = plainInvite(t, mock, "kpat_plain_active", "taken@example.com", nil)
	if status != 409 {
		t.Errorf("active user: plain answer %d", status)
	}
	sameProblem(t, "active user", err, new(*sdkerrors.ConflictError), &sdkerrors.ConflictError{}, body)

	// The default behaviour's 429 (--rate-limit 2/min): the third invite of one token in the window.
	limited := sdk("kpat_proxy_limited")
	for i, email := range []string{"limit-1@example.com", "limit-2@example.com"} {
		if res, err := invite(limited, email); err != nil || res.StatusCode != 201 {
			t.Fatalf("rate limit: invite %d expected 201, got %v %v", i+1, res, err)
		}
		plainInvite(t, mock, "kpat_plain_limited", email, nil)
	}
	_, err = invite(limited, "limit-3@example.com")
	status, _, body = plainInvite(t, mock, "kpat_plain_limited", "limit-3@example.com", nil)
	if status != 429 {
		t.Errorf("rate limit: plain answer %d", status)
	}
	sameProblem(t, "rate limit", err, new(*sdkerrors.RateLimited), &sdkerrors.RateLimited{}, body)

	// The journal: every SDK call came through the proxy for Konnect's host, with the SDK's own headers.
	journalRes, err := http.Get(mock.JoinPath("/__mock/requests").String() + "?method=POST")
	if err != nil {
		t.Fatalf("GET /__mock/requests: %v", err)
	}
	defer journalRes.Body.Close()
	var journal struct {
		Requests []journalEntry `json:"requests"`
		More     bool           `json:"more"`
	}
	if err := json.NewDecoder(journalRes.Body).Decode(&journal); err != nil || journal.More {
		t.Fatalf("decoding the journal: %v (more: %v)", err, journal.More)
	}
	var proxied, plain []journalEntry
	for _, entry := range journal.Requests {
		if entry.Via == "proxy" {
			proxied = append(proxied, entry)
		} else {
			plain = append(plain, entry)
		}
	}
	statuses := func(entries []journalEntry) []int {
		out := []int{}
		for _, entry := range entries {
			out = append(out, entry.Status)
		}
		return out
	}
	want := []int{201, 400, 409, 201, 201, 429}
	if got := statuses(proxied); !reflect.DeepEqual(got, want) {
		t.Errorf("the journal's proxied requests answered %v, expected %v (one per SDK call)", got, want)
	}
	if got := statuses(plain); !reflect.DeepEqual(got, want) {
		t.Errorf("the journal's plain requests answered %v, expected %v", got, want)
	}
	for _, entry := range proxied {
		h := entry.Headers
		if entry.Host != konnectHost || h["host"] != konnectHost || !strings.HasPrefix(h["user-agent"], "speakeasy-sdk/go ") ||
			!strings.Contains(h["user-agent"], "github.com/Kong/sdk-konnect-go") || h["accept"] != "application/problem+json" ||
			h["content-type"] != "application/json" {
			t.Errorf("%s: the SDK's request reads host %q (tunnel %q), user-agent %q, accept %q, content-type %q",
				entry.Body.Email, h["host"], entry.Host, h["user-agent"], h["accept"], h["content-type"])
		}
	}
	if len(proxied) > 1 && proxied[1].Scenario != "cannot-be-blank" {
		t.Errorf("the forced call was served %q, expected cannot-be-blank", proxied[1].Scenario)
	}
	for _, entry := range plain {
		if entry.Host != "" || strings.HasPrefix(entry.Headers["user-agent"], "speakeasy-sdk") || entry.Headers["host"] == konnectHost {
			t.Errorf("%s: a plain request is journaled as %q %q %q", entry.Body.Email, entry.Host, entry.Headers["host"], entry.Headers["user-agent"])
		}
	}
}
