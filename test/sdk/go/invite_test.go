// Drives Kong's Go SDK (InviteUser) against a running mock, one case per catalogue scenario, and
// prints one JSON line per case ("SDKCASE {...}") for the conformance driver to compare with the kit.
package conformance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"testing"

	sdkkonnectgo "github.com/Kong/sdk-konnect-go"
	"github.com/Kong/sdk-konnect-go/models/components"
	"github.com/Kong/sdk-konnect-go/models/operations"
	"github.com/Kong/sdk-konnect-go/models/sdkerrors"
)

// toMock sends every request to the mock, whatever host the SDK put in its URL.
type toMock struct{ mock *url.URL }

func (t toMock) RoundTrip(req *http.Request) (*http.Response, error) {
	redirected := req.Clone(req.Context())
	redirected.URL.Scheme = t.mock.Scheme
	redirected.URL.Host = t.mock.Host
	return http.DefaultTransport.RoundTrip(redirected)
}

// outcome is what the SDK gave for one case: a status, or a typed error and its decoded fields.
type outcome struct {
	Case   string         `json:"case"`
	Status int            `json:"status,omitempty"`
	Type   string         `json:"type"`
	Fields map[string]any `json:"fields,omitempty"`
	Error  string         `json:"error,omitempty"`
}

func classify(name string, res *operations.InviteUserResponse, err error) outcome {
	var badRequest *sdkerrors.BadRequestError
	var conflict *sdkerrors.ConflictError
	var rateLimited *sdkerrors.RateLimited
	var sdkError *sdkerrors.SDKError
	fields := func(v any) map[string]any {
		raw, _ := json.Marshal(v)
		out := map[string]any{}
		_ = json.Unmarshal(raw, &out)
		return out
	}
	switch {
	case err == nil:
		return outcome{Case: name, Status: res.StatusCode, Type: "success"}
	case errors.As(err, &badRequest):
		return outcome{Case: name, Status: int(badRequest.Status), Type: "BadRequestError", Fields: fields(badRequest)}
	case errors.As(err, &conflict):
		return outcome{Case: name, Status: 409, Type: "ConflictError", Fields: fields(conflict)}
	case errors.As(err, &rateLimited):
		return outcome{Case: name, Status: 429, Type: "RateLimited", Fields: fields(rateLimited)}
	case errors.As(err, &sdkError):
		return outcome{Case: name, Status: sdkError.StatusCode, Type: "SDKError", Error: sdkError.Message}
	default:
		return outcome{Case: name, Type: "connection", Error: err.Error()}
	}
}

func mockURL(t *testing.T) *url.URL {
	raw := os.Getenv("MOCK_URL")
	if raw == "" {
		t.Fatal("MOCK_URL is not set: start the mock and pass its URL")
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("MOCK_URL: %v", err)
	}
	return u
}

func TestCatalogueScenarios(t *testing.T) {
	mock := mockURL(t)
	res, err := http.Get(mock.JoinPath("/__mock/scenarios").String())
	if err != nil {
		t.Fatalf("GET /__mock/scenarios: %v", err)
	}
	defer res.Body.Close()
	var catalogue struct {
		Scenarios []struct {
			ID     string `json:"id"`
			Status int    `json:"status"`
		} `json:"scenarios"`
	}
	if err := json.NewDecoder(res.Body).Decode(&catalogue); err != nil {
		t.Fatalf("decoding the catalogue: %v", err)
	}
	if len(catalogue.Scenarios) == 0 {
		t.Fatal("the catalogue lists no scenario")
	}
	sdk := sdkkonnectgo.New(
		sdkkonnectgo.WithClient(&http.Client{Transport: toMock{mock: mock}}),
		sdkkonnectgo.WithSecurity(components.Security{PersonalAccessToken: sdkkonnectgo.String("kpat_conformance")}),
	)
	for _, scenario := range catalogue.Scenarios {
		headers := map[string]string{"X-Mock-Scenario": scenario.ID}
		if scenario.ID == "delay" {
			headers["X-Mock-Delay"] = "10"
		}
		res, err := sdk.Invites.InviteUser(context.Background(), &components.InviteUser{Email: "ada@example.com"},
			operations.WithSetHeaders(headers))
		got := classify(scenario.ID, res, err)
		line, _ := json.Marshal(got)
		fmt.Println("SDKCASE", string(line))
		if scenario.Status != 0 && got.Status != scenario.Status {
			t.Errorf("%s: the catalogue says %d, the SDK saw %d (%s)", scenario.ID, scenario.Status, got.Status, got.Type)
		}
		if scenario.Status == 0 && got.Type != "connection" {
			t.Errorf("%s: the catalogue says no answer, the SDK got %s", scenario.ID, got.Type)
		}
	}
}
