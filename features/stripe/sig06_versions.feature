@SIG-06 @must @signed
Feature: SIG-06 Ignores signature schemes it does not know
  Only v1 is a valid scheme: Stripe adds a fake v0 signature to test-mode
  events, and a receiver ignores every scheme but v1 (ST-3), neither
  refusing the valid v1 beside it nor accepting a MAC under it alone.

  Background:
    Given the run signs its deliveries (otherwise not applicable)

  Scenario: An unknown scheme beside a valid v1 is ignored
    When a signed event arrives with an unknown signature version beside a valid one
    Then the receiver acknowledges it with a 2xx within the deadline

  Scenario: A valid MAC under an unknown scheme alone is refused
    When a signed event arrives with only an unknown signature version
    Then the receiver refuses it with a 4xx
