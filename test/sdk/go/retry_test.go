// Retries with the SDK's own retry.Config: the attempts come from the mock's journal and the time the
// call took is held to the SDK's rule (Retry-After, retry-after-ms, jittered backoff, the budget).
package conformance

import (
	"math"
	"testing"
)

// backoffBounds is the shortest and longest the SDK's jittered backoff may wait before retries 0..n-1.
func backoffBounds(r retrySpec, n int) (float64, float64) {
	low, high := 0.0, 0.0
	for attempt := range n {
		base := float64(r.InitialMs) * math.Pow(float64(attempt+1), r.Exponent)
		low += math.Min(base*0.75, float64(r.MaxMs))
		high += math.Min(base*1.25, float64(r.MaxMs))
	}
	return low, high
}

// Slack for the requests themselves and the scheduler, on top of the waits.
const slackMs = 400

func TestRetries(t *testing.T) {
	fast := retrySpec{InitialMs: 100, MaxMs: 1000, Exponent: 1.5, MaxElapsedMs: 10_000}
	// 150 ms waits (retry-after-ms) against a 290 ms budget: the third attempt ends it, with room for slow requests.
	budget := retrySpec{InitialMs: 100, MaxMs: 1000, Exponent: 1.5, MaxElapsedMs: 290}
	dateBudget := retrySpec{InitialMs: 100, MaxMs: 1000, Exponent: 1.5, MaxElapsedMs: 500}
	withConnections := fast
	withConnections.RetryConnectionErrors = true
	backoffLow, backoffHigh := backoffBounds(fast, 2)
	cases := []struct {
		spec
		status, attempts int
		kind             string
		// The waits the SDK's rule gives, in ms: the call takes at least low and at most high + slack.
		low, high float64
	}{
		{spec{Case: "retry/backoff-then-created", Scenario: "server-error", Mock: "plain", Token: token(goodToken),
			Global: &globalScenario{ID: "server-error", Times: 2}, Retry: &fast}, 201, 3, "success", backoffLow, backoffHigh},
		{spec{Case: "retry/retry-after-seconds", Scenario: "rate-limited", Mock: "plain", Token: token(goodToken),
			Global: &globalScenario{ID: "rate-limited", Times: 1}, Retry: &fast}, 201, 2, "success", 1000, 1000},
		{spec{Case: "retry/retry-after-ms", Scenario: "slow-down-ms", Mock: "custom", Token: token(goodToken),
			Global: &globalScenario{ID: "slow-down-ms", Times: 2}, Retry: &fast}, 201, 3, "success", 300, 300},
		{spec{Case: "retry/http-date-past", Scenario: "slow-down-date", Mock: "custom", Token: token(goodToken),
			Global: &globalScenario{ID: "slow-down-date", Times: 1}, Retry: &fast}, 201, 2, "success", 75, 125},
		{spec{Case: "retry/http-date", Scenario: "default", Mock: "upstream-date", Token: token(goodToken), Retry: &dateBudget,
			RetryAfterDate: true}, 429, 2, "RateLimited", 1000, 2000},
		{spec{Case: "retry/connection-reset", Scenario: "connection-reset", Mock: "plain", Token: token(goodToken),
			Headers: map[string]string{"X-Mock-Scenario": "connection-reset"}, Retry: &withConnections}, 0, 1, "ConnectionError", 0, 0},
		{spec{Case: "retry/elapsed-budget", Scenario: "slow-down-ms", Mock: "custom", Token: token(goodToken),
			Headers: map[string]string{"X-Mock-Scenario": "slow-down-ms"}, Retry: &budget}, 429, 3, "RateLimited", 300, 300},
	}
	for _, c := range cases {
		got := run(t, c.spec)
		if got.Status != c.status || got.Type != c.kind || got.Attempts != c.attempts {
			t.Errorf("%s: expected %d %s after %d attempts, the SDK saw %d %s after %d (%s)",
				c.Case, c.status, c.kind, c.attempts, got.Status, got.Type, got.Attempts, got.Error)
		}
		if elapsed := float64(*got.ElapsedMs); elapsed < c.low || elapsed > c.high+slackMs {
			t.Errorf("%s: the SDK's rule waits %.0f to %.0f ms in all, the call took %.0f ms", c.Case, c.low, c.high, elapsed)
		}
	}
}
