module github.com/konnect-invites-mock/sdk-conformance

go 1.26

require github.com/Kong/sdk-konnect-go v0.50.0

require (
	github.com/itchyny/gojq v0.12.17 // indirect
	github.com/itchyny/timefmt-go v0.1.6 // indirect
	github.com/spyzhov/ajson v0.8.0 // indirect
)
