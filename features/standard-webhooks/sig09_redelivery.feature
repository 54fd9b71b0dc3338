@SIG-09 @must @signed @verify
Feature: SIG-09 Acknowledges a redelivered event and processes it once
  Every attempt of one message carries the same webhook-id, the
  idempotency key (SW-1). The sender retries whenever it sees no 2xx
  (SW-8, SW-9), so an event whose answer was lost arrives again: the
  receiver answers 2xx again and does not do the work twice. Only the
  receiver knows how many times it did: its verify URL says.

  Background:
    Given the run signs its deliveries (otherwise not applicable)
    And the receiver's processing can be counted at the verify URL (otherwise not applicable)

  Scenario: The same webhook-id delivered twice is acknowledged twice and processed once
    When the provider delivers an event
    Then the receiver acknowledges it with a 2xx within the deadline
    When the provider delivers the same event again
    Then the receiver acknowledges the redelivery with a 2xx within the deadline
    And the verify URL says the receiver processed the event once
