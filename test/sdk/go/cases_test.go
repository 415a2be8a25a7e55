// The case runner shared by the catalogue, default-behaviour and retry cases: each case names the mock
// it runs on and everything it sends, so the kit's driver (test/sdk/compare.ts) can send the same.
package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	sdkkonnectgo "github.com/Kong/sdk-konnect-go"
	"github.com/Kong/sdk-konnect-go/models/components"
	"github.com/Kong/sdk-konnect-go/models/operations"
	"github.com/Kong/sdk-konnect-go/models/sdkerrors"
	"github.com/Kong/sdk-konnect-go/retry"
)

// The mocks run.sh starts, one per configuration, each named by the variable holding its URL.
var mockVariables = map[string]string{
	"plain":        "MOCK_URL",
	"strict":       "MOCK_URL_STRICT",
	"custom":       "MOCK_URL_CUSTOM",
	"upstream-502": "MOCK_URL_UPSTREAM_502",
	"upstream-504": "MOCK_URL_UPSTREAM_504",
	// Every invite passed to an upstream that answers 429 with an HTTP-date Retry-After 1 to 2 s ahead.
	"upstream-date": "MOCK_URL_UPSTREAM_DATE",
}

// How long one request may take, so a scenario whose answer never ends fails the case instead of
// hanging the suite (the kit's driver gives its requests the same bound).
const callTimeout = 15 * time.Second

// The token every case sends unless it says otherwise; the strict mock accepts only this one.
const goodToken = "kpat_conformance"

// retrySpec is the SDK's retry.Config, in milliseconds.
type retrySpec struct {
	InitialMs             int     `json:"initialMs"`
	MaxMs                 int     `json:"maxMs"`
	Exponent              float64 `json:"exponent"`
	MaxElapsedMs          int     `json:"maxElapsedMs"`
	RetryConnectionErrors bool    `json:"retryConnectionErrors"`
}

// globalScenario is set with PUT /__mock/scenario before the case (for `times`).
type globalScenario struct {
	ID    string `json:"id"`
	Times int    `json:"times,omitempty"`
}

// spec is one case: where it runs and what it sends.
type spec struct {
	Case     string            `json:"case"`
	Scenario string            `json:"scenario"`
	Mock     string            `json:"mock"`
	Email    string            `json:"email"`
	Token    *string           `json:"token"`
	Headers  map[string]string `json:"headers,omitempty"`
	RawBody  string            `json:"rawBody,omitempty"`
	Global   *globalScenario   `json:"global,omitempty"`
	Before   int               `json:"before,omitempty"`
	Retry    *retrySpec        `json:"retry,omitempty"`
	// The answers' Retry-After is an HTTP-date (one-second resolution) 1 to 2 s ahead.
	RetryAfterDate bool `json:"retryAfterDate,omitempty"`
}

// outcome is what the SDK gave for one case: a status, or a typed error and its decoded fields.
type outcome struct {
	spec
	Status    int            `json:"status"`
	Type      string         `json:"type"`
	Fields    map[string]any `json:"fields,omitempty"`
	Error     string         `json:"error,omitempty"`
	Attempts  int            `json:"attempts"`
	ElapsedMs *int64         `json:"elapsedMs,omitempty"`
}

// toMock sends every request to the mock, whatever host the SDK put in its URL, with the case's raw
// body in place of the SDK's JSON when it has one (the SDK's typed model cannot carry an unknown field).
type toMock struct {
	mock    *url.URL
	rawBody string
	// The status of the last answer, for a case whose body the SDK could not decode.
	seen *int
}

func (t toMock) RoundTrip(req *http.Request) (*http.Response, error) {
	redirected := req.Clone(req.Context())
	redirected.URL.Scheme = t.mock.Scheme
	redirected.URL.Host = t.mock.Host
	if t.rawBody != "" {
		redirected.Body = io.NopCloser(strings.NewReader(t.rawBody))
		redirected.ContentLength = int64(len(t.rawBody))
		redirected.GetBody = nil
	}
	res, err := http.DefaultTransport.RoundTrip(redirected)
	if err == nil && t.seen != nil {
		*t.seen = res.StatusCode
	}
	return res, err
}

var traceID = regexp.MustCompile(`konnect:trace:[0-9]+`)

// sdkMessages are the SDKError messages the SDK builds, without the details it appends.
var sdkMessages = []string{"unknown content-type received", "API error occurred", "unknown status code returned"}

func decoded(v any) map[string]any {
	raw, _ := json.Marshal(v)
	out := map[string]any{}
	_ = json.Unmarshal([]byte(traceID.ReplaceAllString(string(raw), "konnect:trace:<id>")), &out)
	return out
}

func classify(o *outcome, res *operations.InviteUserResponse, err error) {
	var badRequest *sdkerrors.BadRequestError
	var conflict *sdkerrors.ConflictError
	var rateLimited *sdkerrors.RateLimited
	var unauthorized *sdkerrors.UnauthorizedError
	var forbidden *sdkerrors.ForbiddenError
	var sdkError *sdkerrors.SDKError
	var urlError *url.Error
	switch {
	case err == nil:
		o.Status, o.Type = res.StatusCode, "success"
	case errors.As(err, &badRequest):
		o.Status, o.Type, o.Fields = int(badRequest.Status), "BadRequestError", decoded(badRequest)
	case errors.As(err, &conflict):
		o.Status, o.Type, o.Fields = 409, "ConflictError", decoded(conflict)
	case errors.As(err, &rateLimited):
		o.Status, o.Type, o.Fields = 429, "RateLimited", decoded(rateLimited)
	case errors.As(err, &unauthorized):
		o.Status, o.Type, o.Fields = 401, "UnauthorizedError", decoded(unauthorized)
	case errors.As(err, &forbidden):
		o.Status, o.Type, o.Fields = 403, "ForbiddenError", decoded(forbidden)
	case errors.As(err, &sdkError):
		message := sdkError.Message
		for _, known := range sdkMessages {
			if strings.HasPrefix(message, known) {
				message = known
			}
		}
		o.Status, o.Type = sdkError.StatusCode, "SDKError"
		o.Fields = map[string]any{"message": message, "body": traceID.ReplaceAllString(sdkError.Body, "konnect:trace:<id>")}
	case errors.As(err, &urlError):
		o.Type, o.Error = "ConnectionError", urlError.Err.Error()
	case strings.HasPrefix(err.Error(), "error reading response body"):
		// The status and headers came, the body was cut short.
		o.Type, o.Error = "BodyReadError", err.Error()
	default:
		// The answer came but its body did not decode into the SDK's model.
		o.Type, o.Error = "DecodeError", err.Error()
	}
}

func mockURL(t *testing.T, name string) *url.URL {
	t.Helper()
	raw := os.Getenv(mockVariables[name])
	if raw == "" {
		t.Fatalf("%s is not set: run the suite with npm run test:sdk", mockVariables[name])
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("%s: %v", mockVariables[name], err)
	}
	return u
}

func admin(t *testing.T, method, url string, body any) *http.Response {
	t.Helper()
	var reader io.Reader
	if body != nil {
		raw, _ := json.Marshal(body)
		reader = bytes.NewReader(raw)
	}
	req, _ := http.NewRequest(method, url, reader)
	if body != nil {
		req.Header.Set("content-type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	if res.StatusCode >= 300 {
		t.Fatalf("%s %s: %d", method, url, res.StatusCode)
	}
	return res
}

// attempts counts the invites the journal holds.
func attempts(t *testing.T, mock *url.URL) int {
	t.Helper()
	res := admin(t, http.MethodGet, mock.JoinPath("/__mock/requests").String()+"?method=POST", nil)
	defer res.Body.Close()
	var journal struct {
		Requests []struct {
			URL string `json:"url"`
		} `json:"requests"`
	}
	if err := json.NewDecoder(res.Body).Decode(&journal); err != nil {
		t.Fatalf("decoding the journal: %v", err)
	}
	count := 0
	for _, entry := range journal.Requests {
		if strings.HasPrefix(entry.URL, "/v3/invites") {
			count++
		}
	}
	return count
}

func newSDK(mock *url.URL, s spec, seen *int) *sdkkonnectgo.SDK {
	options := []sdkkonnectgo.SDKOption{sdkkonnectgo.WithClient(&http.Client{Transport: toMock{mock: mock, rawBody: s.RawBody, seen: seen}, Timeout: callTimeout})}
	if s.Token != nil {
		options = append(options, sdkkonnectgo.WithSecurity(components.Security{PersonalAccessToken: s.Token}))
	}
	if s.Retry != nil {
		options = append(options, sdkkonnectgo.WithRetryConfig(retry.Config{
			Strategy: "backoff",
			Backoff: &retry.BackoffStrategy{InitialInterval: s.Retry.InitialMs, MaxInterval: s.Retry.MaxMs,
				Exponent: s.Retry.Exponent, MaxElapsedTime: s.Retry.MaxElapsedMs},
			RetryConnectionErrors: s.Retry.RetryConnectionErrors,
		}))
	}
	return sdkkonnectgo.New(options...)
}

// run plays one case from a fresh mock state and prints its SDKCASE line.
func run(t *testing.T, s spec) outcome {
	t.Helper()
	mock := mockURL(t, s.Mock)
	if s.Email == "" && s.RawBody == "" {
		s.Email = "ada@example.com"
	}
	admin(t, http.MethodPost, mock.JoinPath("/__mock/reset").String(), map[string]any{}).Body.Close()
	if s.Global != nil {
		admin(t, http.MethodPut, mock.JoinPath("/__mock/scenario").String(), s.Global).Body.Close()
	}
	seen := 0
	sdk := newSDK(mock, s, &seen)
	request := &components.InviteUser{Email: s.Email}
	for range s.Before {
		if _, err := newSDK(mock, spec{Token: s.Token}, nil).Invites.InviteUser(context.Background(), request, operations.WithSetHeaders(s.Headers)); err != nil {
			t.Fatalf("%s: the invite before the case failed: %v", s.Case, err)
		}
	}
	start := time.Now()
	res, err := sdk.Invites.InviteUser(context.Background(), request, operations.WithSetHeaders(s.Headers))
	elapsed := time.Since(start).Milliseconds()
	if s.Global != nil {
		admin(t, http.MethodDelete, mock.JoinPath("/__mock/scenario").String(), nil).Body.Close()
	}
	got := outcome{spec: s}
	if s.Retry != nil {
		got.ElapsedMs = &elapsed
	}
	classify(&got, res, err)
	if got.Type == "DecodeError" || got.Type == "BodyReadError" {
		got.Status = seen
	}
	got.Attempts = attempts(t, mock) - s.Before
	line, _ := json.Marshal(got)
	fmt.Println("SDKCASE", string(line))
	return got
}

func token(value string) *string { return &value }
