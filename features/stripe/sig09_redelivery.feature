@SIG-09 @must @signed @verify
Feature: SIG-09 Acknowledges a redelivered event and processes it once
  The same event can arrive more than once; receivers dedupe on its id
  (ST-9). Stripe retries whatever got no 2xx (ST-6, ST-7), so a duplicate
  refused is sent again for days: the receiver answers 2xx again and does
  not do the work twice. Only the receiver knows how many times it did:
  its verify URL says.

  Background:
    Given the run signs its deliveries (otherwise not applicable)
    And the receiver's processing can be counted at the verify URL (otherwise not applicable)

  Scenario: The same event id delivered twice is acknowledged twice and processed once
    When the provider delivers an event
    Then the receiver acknowledges it with a 2xx within the deadline
    When the provider delivers the same event again
    Then the receiver acknowledges the redelivery with a 2xx within the deadline
    And the verify URL says the receiver processed the event once
