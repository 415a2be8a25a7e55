// Drives Kong's Go SDK (InviteUser) against the mocks run.sh starts: every scenario in the catalogue
// (custom ones included), the default behaviour's cases and --upstream's 502 and 504. Each case
// prints one "SDKCASE {...}" line for the kit's driver to replay and compare.
package conformance

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
)

type catalogueEntry struct {
	ID     string `json:"id"`
	Status int    `json:"status"`
	Kind   string `json:"kind"`
	Fault  bool   `json:"fault"`
	Says   string `json:"says"`
}

// whatItSays is what a decoded problem tells a reader: its detail, and its first invalid parameter as
// "field: reason"; for an SDKError, the same read from its body when that is problem+json.
func whatItSays(got outcome) []string {
	fields := got.Fields
	if body, ok := fields["body"].(string); ok {
		fields = map[string]any{}
		if json.Unmarshal([]byte(body), &fields) != nil {
			return nil
		}
	}
	said := []string{}
	if detail, ok := fields["detail"].(string); ok && detail != "" {
		said = append(said, detail)
	}
	if parameters, ok := fields["invalid_parameters"].([]any); ok && len(parameters) > 0 {
		if first, ok := parameters[0].(map[string]any); ok {
			said = append(said, fmt.Sprintf("%v: %v", first["field"], first["reason"]))
		}
	}
	return said
}

func catalogue(t *testing.T, mock string) []catalogueEntry {
	t.Helper()
	res := admin(t, http.MethodGet, mockURL(t, mock).JoinPath("/__mock/scenarios").String(), nil)
	defer res.Body.Close()
	var listed struct {
		Scenarios []catalogueEntry `json:"scenarios"`
	}
	if err := json.NewDecoder(res.Body).Decode(&listed); err != nil {
		t.Fatalf("decoding the catalogue: %v", err)
	}
	if len(listed.Scenarios) == 0 {
		t.Fatal("the catalogue lists no scenario")
	}
	return listed.Scenarios
}

// checkScenario holds the SDK to what the catalogue says: the listed status, or (for a scenario with
// no status, or a deliberate fault) any outcome the SDK classifies, which the matrix then shows.
func checkScenario(t *testing.T, scenario catalogueEntry, got outcome) {
	t.Helper()
	if scenario.Status == 0 || scenario.Fault || got.Type == "ConnectionError" || got.Type == "DecodeError" || got.Type == "BodyReadError" {
		if scenario.Status != 0 && !scenario.Fault {
			t.Errorf("%s: the catalogue says %d, the SDK got no answer it could read (%s: %s)", scenario.ID, scenario.Status, got.Type, got.Error)
		}
		return
	}
	if got.Status != scenario.Status {
		t.Errorf("%s: the catalogue says %d, the SDK saw %d (%s)", scenario.ID, scenario.Status, got.Status, got.Type)
	}
	if said := whatItSays(got); len(said) > 0 && !slices.Contains(said, scenario.Says) {
		t.Errorf("%s: the catalogue says a client reads %q, the SDK decoded %q", scenario.ID, scenario.Says, said)
	}
}

func TestCatalogueScenarios(t *testing.T) {
	for _, scenario := range catalogue(t, "plain") {
		headers := map[string]string{"X-Mock-Scenario": scenario.ID}
		if scenario.ID == "delay" {
			headers["X-Mock-Delay"] = "10"
		}
		got := run(t, spec{Case: "scenario/" + scenario.ID, Scenario: scenario.ID, Mock: "plain", Token: token(goodToken), Headers: headers})
		checkScenario(t, scenario, got)
	}
}

func TestCustomScenarios(t *testing.T) {
	custom := 0
	for _, scenario := range catalogue(t, "custom") {
		if scenario.Kind != "custom" {
			continue
		}
		custom++
		got := run(t, spec{Case: "custom/" + scenario.ID, Scenario: scenario.ID, Mock: "custom", Token: token(goodToken),
			Headers: map[string]string{"X-Mock-Scenario": scenario.ID}})
		checkScenario(t, scenario, got)
	}
	if custom == 0 {
		t.Error("the custom mock lists no custom scenario: is --scenarios-file given?")
	}
}

func TestDefaultBehaviour(t *testing.T) {
	long := strings.Repeat("a", 250) + "@example.com"
	cases := []struct {
		spec
		status int
		kind   string
	}{
		{spec{Case: "default/valid", Mock: "plain", Token: token(goodToken)}, 201, "success"},
		{spec{Case: "default/blank-email", Mock: "plain", Token: token(goodToken), RawBody: `{"email":""}`}, 400, "BadRequestError"},
		{spec{Case: "default/whitespace-email", Mock: "plain", Token: token(goodToken), Email: "   "}, 400, "BadRequestError"},
		{spec{Case: "default/malformed-email", Mock: "plain", Token: token(goodToken), Email: "not-an-address"}, 400, "BadRequestError"},
		{spec{Case: "default/not-json", Mock: "plain", Token: token(goodToken), RawBody: `{"email":`}, 400, "BadRequestError"},
		{spec{Case: "default/unknown-field", Mock: "plain", Token: token(goodToken), RawBody: `{"email":"ada@example.com","role":"admin"}`}, 201, "success"},
		{spec{Case: "default/too-long", Mock: "plain", Token: token(goodToken), Email: long}, 400, "BadRequestError"},
		{spec{Case: "default/pending-re-invite", Mock: "plain", Token: token(goodToken), Before: 1}, 201, "success"},
		{spec{Case: "default/active-user", Mock: "strict", Token: token(goodToken), Email: "active@example.com"}, 409, "ConflictError"},
		{spec{Case: "default/bad-token", Mock: "strict", Token: token("kpat_not_accepted")}, 401, "SDKError"},
		{spec{Case: "default/missing-token", Mock: "strict"}, 401, "SDKError"},
		{spec{Case: "default/rate-limit", Mock: "strict", Token: token(goodToken), Before: 1}, 429, "RateLimited"},
		{spec{Case: "upstream/502-unreachable", Mock: "upstream-502", Token: token(goodToken)}, 502, "SDKError"},
		{spec{Case: "upstream/504-no-answer", Mock: "upstream-504", Token: token(goodToken)}, 504, "SDKError"},
	}
	for _, c := range cases {
		c.Scenario = "default"
		got := run(t, c.spec)
		if got.Status != c.status || got.Type != c.kind {
			t.Errorf("%s: expected %d %s, the SDK saw %d %s %s", c.Case, c.status, c.kind, got.Status, got.Type, got.Error)
		}
	}
}
