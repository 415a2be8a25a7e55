package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	sdkkonnectgo "github.com/Kong/sdk-konnect-go"
	"github.com/Kong/sdk-konnect-go/models/components"
	"github.com/Kong/sdk-konnect-go/retry"
)

func admin(t *testing.T, method, url string, body any) *http.Response {
	t.Helper()
	var req *http.Request
	if body == nil {
		req, _ = http.NewRequest(method, url, nil)
	} else {
		raw, _ := json.Marshal(body)
		req, _ = http.NewRequest(method, url, bytes.NewReader(raw))
		req.Header.Set("content-type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	return res
}

// Two 429s (Retry-After: 1) then the default behaviour's 201: the SDK's backoff retries, waits what
// Retry-After says each time, and the journal holds three attempts.
func TestRetryAfterThenCreated(t *testing.T) {
	mock := mockURL(t)
	admin(t, http.MethodPost, mock.JoinPath("/__mock/reset").String(), map[string]any{}).Body.Close()
	admin(t, http.MethodPut, mock.JoinPath("/__mock/scenario").String(), map[string]any{"id": "rate-limited", "times": 2}).Body.Close()
	t.Cleanup(func() { admin(t, http.MethodDelete, mock.JoinPath("/__mock/scenario").String(), nil).Body.Close() })
	sdk := sdkkonnectgo.New(
		sdkkonnectgo.WithClient(&http.Client{Transport: toMock{mock: mock}}),
		sdkkonnectgo.WithSecurity(components.Security{PersonalAccessToken: sdkkonnectgo.String("kpat_conformance")}),
		sdkkonnectgo.WithRetryConfig(retry.Config{Strategy: "backoff", Backoff: &retry.BackoffStrategy{
			InitialInterval: 10, MaxInterval: 100, Exponent: 1.5, MaxElapsedTime: 10_000}}),
	)
	start := time.Now()
	res, err := sdk.Invites.InviteUser(context.Background(), &components.InviteUser{Email: "ada@example.com"})
	elapsed := time.Since(start)
	if err != nil || res.StatusCode != 201 {
		t.Fatalf("expected 201 after two 429s, got %v %v", res, err)
	}
	if elapsed < 2*time.Second || elapsed > 4*time.Second {
		t.Errorf("two Retry-After: 1 waits should take about 2 s, took %s", elapsed)
	}
	journal := admin(t, http.MethodGet, mock.JoinPath("/__mock/requests").String()+"?method=POST", nil)
	defer journal.Body.Close()
	var got struct {
		Requests []struct {
			Status int `json:"status"`
		} `json:"requests"`
	}
	if err := json.NewDecoder(journal.Body).Decode(&got); err != nil {
		t.Fatalf("decoding the journal: %v", err)
	}
	statuses := []int{}
	for _, r := range got.Requests {
		statuses = append(statuses, r.Status)
	}
	if len(statuses) != 3 || statuses[0] != 429 || statuses[1] != 429 || statuses[2] != 201 {
		t.Errorf("expected attempts 429, 429, 201 in the journal, got %v", statuses)
	}
}
