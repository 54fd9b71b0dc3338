@SIG-09 @must @signed @verify
Feature: SIG-09 Acknowledges a redelivered event and processes it once
  A redelivery carries the X-GitHub-Delivery of the original (GH-7), and
  the signature has no timestamp, so it verifies whenever it comes (GH-3).
  Only a 2xx is success (GH-4): the receiver answers 2xx again and does
  not do the work twice. Only the receiver knows how many times it did:
  its verify URL says.

  Background:
    Given the run signs its deliveries (otherwise not applicable)
    And the receiver's processing can be counted at the verify URL (otherwise not applicable)

  Scenario: The same X-GitHub-Delivery delivered twice is acknowledged twice and processed once
    When the provider delivers an event
    Then the receiver acknowledges it with a 2xx within the deadline
    When the provider delivers the same event again
    Then the receiver acknowledges the redelivery with a 2xx within the deadline
    And the verify URL says the receiver processed the event once
