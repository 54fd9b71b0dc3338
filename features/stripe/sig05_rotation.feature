@SIG-05 @must @signed
Feature: SIG-05 Accepts any one valid signature of several
  While an endpoint secret is rolled, Stripe-Signature carries one v1 per
  active secret; a receiver accepts when any one verifies (ST-4).

  Background:
    Given the run signs its deliveries (otherwise not applicable)

  Scenario: An event with several signatures, one valid, is acknowledged
    When a signed event arrives with several signatures, one of them valid
    Then the receiver acknowledges it with a 2xx within the deadline
