@SIG-04 @must @signed
Feature: SIG-04 Refuses a timestamp outside the tolerance
  The signed timestamp bounds a replay: Stripe's official libraries refuse
  an event more than 5 minutes old (ST-5). They accept a timestamp ahead
  of the clock, so for Stripe only a past timestamp is refused.

  Background:
    Given the run signs its deliveries (otherwise not applicable)

  Scenario: A timestamp 10 minutes in the past is refused with a 4xx
    When a signed event arrives with a timestamp 10 minutes in the past
    Then the receiver refuses it with a 4xx
